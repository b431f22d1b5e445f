public import NIOCore
public import NIOHTTP1

/// Serves a WebSocket endpoint with plain NIO channel handlers instead of an upgraded async
/// channel: no task per connection, no async writer, frames written on the channel's loop.
///
/// `HTTP1CompatibilityHandler` asks it about each handshake the gate let through. When `decide`
/// accepts, the handler writes the 101 itself, replaces the HTTP handlers with a WebSocket frame
/// decoder and calls `install` to add the endpoint's handler. The connection then never reaches
/// Hummingbird's upgrader, and no task waits on it.
public struct WebSocketTakeover: Sendable {
    /// What the takeover makes of one handshake.
    public enum Decision: Sendable {
        /// Not this endpoint's: the upgrader gets it.
        case pass
        /// Answered with this status and JSON error; the connection closes.
        case refuse(WebSocketHandshakeRefusal)
        /// Taken: the 101 carries these extra headers (`Sec-WebSocket-Accept`, …).
        case accept(HTTPHeaders)
    }

    /// Decides about one handshake, from its head and the client's address.
    public let decide: @Sendable (HTTPRequestHead, SocketAddress?) -> Decision
    /// Largest WebSocket frame the decoder accepts; a larger one is a decoding error (1009).
    public let maxFrameSize: Int
    /// Adds the handlers that serve the connection, after the frame decoder. Runs on the
    /// channel's loop, right after the 101 was written.
    public let install: @Sendable (any Channel, HTTPRequestHead) throws -> Void

    /// - Parameters:
    ///   - maxFrameSize: largest inbound frame, in bytes.
    ///   - decide: decides about each handshake.
    ///   - install: adds the endpoint's handlers.
    public init(
        maxFrameSize: Int, decide: @escaping @Sendable (HTTPRequestHead, SocketAddress?) -> Decision,
        install: @escaping @Sendable (any Channel, HTTPRequestHead) throws -> Void
    ) {
        self.maxFrameSize = maxFrameSize
        self.decide = decide
        self.install = install
    }
}

/// What a connection's first request turned out to be; `HTTP1CompatibleChannel.handle` waits for
/// it to know whether Hummingbird still has a part to play.
public enum FirstRequestOutcome: Sendable {
    /// Plain HTTP, an upgrade for Hummingbird's upgrader, or no request at all.
    case http
    /// A `WebSocketTakeover` serves the connection; nothing is left for Hummingbird to do.
    case takenOver
}
