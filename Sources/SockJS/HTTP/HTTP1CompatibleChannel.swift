public import Hummingbird
public import HummingbirdCore
public import HummingbirdWebSocket
public import Logging
public import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 + WebSocket child channel with `HTTP1CompatibilityHandler` in front of the
/// upgrade handler, so malformed upgrade requests get an HTTP answer instead of an empty reply,
/// HTTP/1.0 clients get HTTP/1.0 responses, and a `WebSocketTakeover` can serve its endpoint with
/// plain channel handlers.
public struct HTTP1CompatibleChannel: ServerChildChannel {
    typealias Base = HTTP1WebSocketUpgradeChannel

    /// Hummingbird's value, and what the connection's first request turned out to be.
    public struct Value: ServerChildChannelValue {
        let base: HTTP1WebSocketUpgradeChannel.Value
        let firstRequest: EventLoopFuture<FirstRequestOutcome>
        public var channel: any Channel { base.channel }
    }

    let base: Base
    /// Sees every WebSocket handshake before the upgrader (see `HTTP1CompatibilityHandler`).
    let handshakeGate: WebSocketHandshakeGate?
    /// Serves its endpoint's handshakes without the upgrader.
    let takeover: WebSocketTakeover?

    /// How each connection's reads are sized: from 512 bytes, growing while reads fill the
    /// buffer. The channel keeps its last receive buffer for the next read, so NIO's default
    /// first size (2,048) cost every idle WebSocket 2 KiB; a WebSocket message or a request
    /// head rarely needs more, and an upload's reads grow to 64 KiB within a few reads.
    static let receiveSizes = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512, maximum: 65_536)

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        // Before the first read, so the first receive buffer is already the small one.
        do {
            try channel.syncOptions?.setOption(ChannelOptions.recvAllocator, value: Self.receiveSizes)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            // The base configured the pipeline synchronously; no request has been read yet.
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            let firstRequest = channel.eventLoop.makePromise(of: FirstRequestOutcome.self)
            let handler = HTTP1CompatibilityHandler(
                handshakeGate: handshakeGate, takeover: takeover, firstRequest: firstRequest,
                removeUpgrader: { pipeline in
                    // Removed, the upgrader fails its pending result; `handle` never awaits it.
                    let upgrader = try pipeline.handler(
                        type: NIOTypedHTTPServerUpgradeHandler<HTTP1WebSocketUpgradeChannel.UpgradeResult>.self)
                    pipeline.removeHandler(upgrader, promise: nil)
                })
            try pipeline.addHandler(handler, position: .after(decoder))
            return Value(base: value, firstRequest: firstRequest.futureResult)
        }
    }

    public func handle(value: Value, logger: Logger) async {
        // A connection a takeover serves needs no task: its handlers own it from here on.
        guard (try? await value.firstRequest.get()) != .takenOver else { return }
        await base.handle(value: value.base, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// `http1WebSocketUpgrade(webSocketRouter:configuration:)` whose connections answer a request
    /// with an invalid `Upgrade` header as plain HTTP and HTTP/1.0 requests in HTTP/1.0 (see
    /// `HTTP1CompatibilityHandler`); the SockJS spec requires both. `handshakeGate` sees every
    /// WebSocket handshake first, and its refusals are answered with their status and a JSON body.
    /// `takeover` serves its endpoint's handshakes with plain channel handlers.
    public static func http1WebSocketUpgradeForSockJS<WSResponderBuilder: HTTPResponderBuilder>(
        webSocketRouter: WSResponderBuilder,
        configuration: HTTP1WebSocketUpgradeChannel.Configuration = .init(),
        handshakeGate: WebSocketHandshakeGate? = nil,
        takeover: WebSocketTakeover? = nil
    ) -> HTTPServerBuilder where WSResponderBuilder.Responder.Context: WebSocketRequestContext {
        let webSocketResponder = webSocketRouter.buildResponder()
        return .init { responder in
            HTTP1CompatibleChannel(
                base: HTTP1WebSocketUpgradeChannel(
                    responder: responder, webSocketResponder: webSocketResponder, configuration: configuration),
                handshakeGate: handshakeGate, takeover: takeover)
        }
    }
}
