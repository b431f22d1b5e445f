import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The request context of every route: WebSocket upgrades plus the client's address.
///
/// The address keys the per-IP login rate limit; `BasicWebSocketRequestContext` does not carry it.
struct ChatRequestContext: RequestContext, WebSocketRequestContext, ClientAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    /// The peer of the TCP connection (a proxy's address when behind one).
    let remoteAddress: SocketAddress?
    /// The client's IP address: the peer's, until `ClientAddressMiddleware` reads it from
    /// `X-Forwarded-For` of a trusted proxy.
    var clientAddress: String?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.remoteAddress = source.channel.remoteAddress
        self.clientAddress = source.channel.remoteAddress.map { $0.ipAddress ?? $0.description }
    }
}
