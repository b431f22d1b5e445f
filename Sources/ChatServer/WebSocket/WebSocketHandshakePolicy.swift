import NIOCore
import NIOHTTP1
import SockJS

/// Which WebSocket handshakes the server accepts, decided before the upgrade so a refusal can say
/// why: 403 `origin_not_allowed` for a page of a foreign origin (cross-site WebSocket hijacking),
/// 429 `too_many_connections` for an address already holding its `/ws` connections.
///
/// The origin rule covers every WebSocket of the server (`/ws` and SockJS's); the per-address
/// count covers `/ws`, whose connections `WebSocketChatEndpoint` acquires and releases. The
/// address counted is the client's, read from `X-Forwarded-For` when the connection comes from a
/// trusted proxy.
struct WebSocketHandshakePolicy: Sendable {
    let originPolicy: OriginPolicy
    let connectionsPerAddress: ConnectionsPerAddress
    /// The path of the native chat WebSocket.
    let chatPath: String
    /// Proxies whose `X-Forwarded-For` names the client (`--trusted-proxies`).
    let trustedProxies: TrustedProxies

    /// The client's address for a handshake from `peer`: the key of the per-address count.
    func clientAddress(_ head: HTTPRequestHead, peer: SocketAddress?) -> String {
        trustedProxies.clientAddress(peer: peer, forwardedFor: head.headers["x-forwarded-for"]) ?? "unknown"
    }

    /// The refusal for a handshake, or nil when it may proceed. Every `Origin` value must pass: a
    /// request carrying two is not from a browser we can reason about.
    func refusal(path: String, origins: [String], host: String?, address: String) -> WebSocketHandshakeRefusal? {
        let allowed =
            origins.isEmpty
            ? originPolicy.allows(origin: nil, host: host)
            : origins.allSatisfy { originPolicy.allows(origin: $0, host: host) }
        guard allowed else {
            return WebSocketHandshakeRefusal(
                status: .forbidden, code: "origin_not_allowed",
                message: "WebSocket connections from this origin are not allowed")
        }
        if path == chatPath, !connectionsPerAddress.hasRoom(for: address) {
            return WebSocketHandshakeRefusal(
                status: .tooManyRequests, code: "too_many_connections",
                message: "too many connections from this address")
        }
        return nil
    }

    /// The policy as the HTTP layer's gate, which sees the raw request head.
    var gate: WebSocketHandshakeGate {
        { head, remoteAddress in
            let path =
                head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
                ?? head.uri
            return refusal(
                path: path, origins: head.headers["origin"], host: head.headers.first(name: "host"),
                address: clientAddress(head, peer: remoteAddress))
        }
    }
}
