public import Hummingbird
public import HummingbirdCore
public import HummingbirdWebSocket
public import Logging
public import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 + WebSocket child channel with `HTTP1CompatibilityHandler` in front of the
/// upgrade handler, so malformed upgrade requests get an HTTP answer instead of an empty reply and HTTP/1.0 clients get
/// HTTP/1.0 responses.
public struct HTTP1CompatibleChannel<Base: ServerChildChannel>: ServerChildChannel {
    public typealias Value = Base.Value
    let base: Base
    /// Sees every WebSocket handshake before the upgrader (see `HTTP1CompatibilityHandler`).
    let handshakeGate: WebSocketHandshakeGate?

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            // The base configured the pipeline synchronously; no request has been read yet.
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(HTTP1CompatibilityHandler(handshakeGate: handshakeGate), position: .after(decoder))
            return value
        }
    }

    public func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// `http1WebSocketUpgrade(webSocketRouter:configuration:)` whose connections answer a request
    /// with an invalid `Upgrade` header as plain HTTP and HTTP/1.0 requests in HTTP/1.0 (see
    /// `HTTP1CompatibilityHandler`); the SockJS spec requires both. `handshakeGate` sees every
    /// WebSocket handshake first, and its refusals are answered with their status and a JSON body.
    public static func http1WebSocketUpgradeForSockJS<WSResponderBuilder: HTTPResponderBuilder>(
        webSocketRouter: WSResponderBuilder,
        configuration: HTTP1WebSocketUpgradeChannel.Configuration = .init(),
        handshakeGate: WebSocketHandshakeGate? = nil
    ) -> HTTPServerBuilder where WSResponderBuilder.Responder.Context: WebSocketRequestContext {
        let webSocketResponder = webSocketRouter.buildResponder()
        return .init { responder in
            HTTP1CompatibleChannel(
                base: HTTP1WebSocketUpgradeChannel(
                    responder: responder, webSocketResponder: webSocketResponder, configuration: configuration),
                handshakeGate: handshakeGate)
        }
    }
}
