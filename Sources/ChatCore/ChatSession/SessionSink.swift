public import NIOCore

/// Where the `Hub` puts the frames of one connected session: the transport's side of a session.
///
/// The hub never waits on a client. A sink owned by a NIO channel names its `eventLoop`, and the
/// hub then hands it frames on that loop only, grouped with every other sink of the same loop
/// (`FanOut`): one hop per event loop per event, not one task resumption per recipient. A sink
/// without a loop (`SessionOutbox`, drained by an async writer) is called from the hub directly.
public protocol SessionSink: AnyObject, Sendable {
    /// The loop `deliver` and `flush` run on, or nil when they may run on any thread.
    var eventLoop: (any EventLoop)? { get }

    /// How a server frame's JSON becomes the bytes this sink writes. Fan-out encodes each event
    /// once per distinct encoding, never once per recipient.
    var wireEncoding: WireEncoding { get }

    /// Queues one frame, already in `wireEncoding`, without flushing. Never waits: a sink that
    /// cannot keep up drops ephemeral frames first, then closes itself with 1013.
    ///
    /// - Parameters:
    ///   - wire: the encoded frame, shared with every other recipient.
    ///   - ephemeral: whether it may be dropped for a slow client (typing, presence).
    func deliver(_ wire: ByteBuffer, ephemeral: Bool)

    /// Pushes what `deliver` queued towards the client (one flush per batch).
    func flush()

    /// Closes the session with `code` after the frames already queued. Callable from any thread.
    func close(_ code: CloseCode, reason: String)

    /// Whether the sink overflowed or was asked to close: the hub ignores its further frames.
    var isClosing: Bool { get }
}

extension SessionSink {
    /// Sends one frame to this sink alone, on its loop when it has one.
    ///
    /// - Parameters:
    ///   - json: the server frame's JSON.
    ///   - ephemeral: whether it may be dropped for a slow client.
    public func send(_ json: ByteBuffer, ephemeral: Bool = false) {
        let wire = wireEncoding.encode(json)
        guard let loop = eventLoop else {
            deliver(wire, ephemeral: ephemeral)
            flush()
            return
        }
        loop.execute {
            self.deliver(wire, ephemeral: ephemeral)
            self.flush()
        }
    }
}
