public import NIOCore
public import NIOHTTP1

/// A WebSocket handshake refused before the upgrade runs, answered with a JSON error body.
///
/// Hummingbird answers every upgrade its `shouldUpgrade` refuses with an empty 400, which tells
/// a client (and the person debugging it) nothing. Refusing in front of the upgrader lets the
/// server answer 403 for a foreign origin or 429 for an address over its connection limit, with
/// a stable code a client can switch on: `{"error":{"code":"…","message":"…"}}`.
public struct WebSocketHandshakeRefusal: Sendable, Equatable {
    /// The HTTP status of the answer (403, 429, …).
    public var status: HTTPResponseStatus
    /// A stable, machine-readable reason (`origin_not_allowed`, `too_many_connections`).
    public var code: String
    /// A sentence for people.
    public var message: String

    public init(status: HTTPResponseStatus, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// The JSON error body, the same shape as every other HTTP error of the server.
    var body: ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeString(#"{"error":{"code":"#)
        JSONStringEncoder.appendLiteral(code.utf8, to: &buffer)
        buffer.writeString(#","message":"#)
        JSONStringEncoder.appendLiteral(message.utf8, to: &buffer)
        buffer.writeString("}}")
        return buffer
    }
}

/// Decides, from a WebSocket handshake's request head and the client's address, whether it may
/// reach the upgrader; `nil` lets it through. Called on the connection's event loop, once per
/// handshake, so it must be quick and must not block.
public typealias WebSocketHandshakeGate =
    @Sendable (_ head: HTTPRequestHead, _ remoteAddress: SocketAddress?) -> WebSocketHandshakeRefusal?
