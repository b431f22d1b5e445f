public import NIOCore
public import NIOHTTP1

/// Serves WebSocket endpoints with plain NIO channel handlers instead of an upgraded async
/// channel: no task per connection, no async writer, frames written on the channel's loop.
///
/// `HTTP1CompatibilityHandler` asks it about each handshake the gate let through. When `decide`
/// accepts, the handler writes the 101 itself, replaces the HTTP handlers with a WebSocket frame
/// decoder and calls the acceptance's `install` to add the endpoint's handler. The connection
/// then never reaches Hummingbird's upgrader, and no task waits on it.
public struct WebSocketTakeover: Sendable {
    /// What the takeover makes of one handshake.
    public enum Decision: Sendable {
        /// Not this endpoint's: the upgrader gets it.
        case pass
        /// Answered with this status and JSON error; the connection closes.
        case refuse(WebSocketHandshakeRefusal)
        /// Taken: answered with a 101, then served by the acceptance's handlers.
        case accept(Acceptance)
    }

    /// How an accepted handshake is served.
    public struct Acceptance: Sendable {
        /// Extra headers of the 101 (`Sec-WebSocket-Accept`, …).
        public var headers: HTTPHeaders
        /// Largest WebSocket frame the decoder accepts; a larger one is a decoding error (1009).
        public var maxFrameSize: Int
        /// Adds the handlers that serve the connection, after the frame decoder. Runs on the
        /// channel's loop, right after the 101 was written, while the HTTP handlers are being
        /// removed: a handler must not write before the loop's next turn.
        public var install: @Sendable (any Channel) throws -> Void

        /// - Parameters:
        ///   - headers: extra headers of the 101.
        ///   - maxFrameSize: largest inbound frame, in bytes.
        ///   - install: adds the endpoint's handlers.
        public init(headers: HTTPHeaders, maxFrameSize: Int, install: @escaping @Sendable (any Channel) throws -> Void)
        {
            self.headers = headers
            self.maxFrameSize = maxFrameSize
            self.install = install
        }
    }

    /// Decides about one handshake, from its head and the client's address.
    public let decide: @Sendable (HTTPRequestHead, SocketAddress?) -> Decision

    /// - Parameter decide: decides about each handshake.
    public init(decide: @escaping @Sendable (HTTPRequestHead, SocketAddress?) -> Decision) {
        self.decide = decide
    }

    /// One takeover for several endpoints: each is asked in turn, and the first that does not
    /// pass decides.
    ///
    /// - Parameter takeovers: the endpoints' takeovers, in the order they are asked.
    public static func first(of takeovers: [WebSocketTakeover]) -> WebSocketTakeover {
        WebSocketTakeover { head, address in
            for takeover in takeovers {
                let decision = takeover.decide(head, address)
                if case .pass = decision { continue }
                return decision
            }
            return .pass
        }
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
