public import NIOCore

/// A request the owning node accepted: its answer arrives here as the owner writes it.
///
/// Streaming transports stay streaming: `body` yields each chunk when the owner writes it, so
/// heartbeats and the response limit behave as on the owner.
public struct SockJSForwarding: Sendable {
    /// Yields the owner's status and headers once.
    public var head: AsyncThrowingStream<SockJSResponseHead, any Error>
    /// The body's chunks; ends with the response, throws `SockJSClusterError` when the relay
    /// fails mid-way (timeout, overflow, broker loss).
    public var body: AsyncThrowingStream<ByteBuffer, any Error>
    /// Tells the owner that the client went away (the owner aborts the receiver: 1002).
    public var abort: @Sendable () -> Void

    public init(
        head: AsyncThrowingStream<SockJSResponseHead, any Error>, body: AsyncThrowingStream<ByteBuffer, any Error>,
        abort: @escaping @Sendable () -> Void
    ) {
        self.head = head
        self.body = body
        self.abort = abort
    }
}

/// Status and headers of a relayed response (framing headers excluded).
public struct SockJSResponseHead: Sendable, Equatable, Codable {
    public var status: Int
    public var headers: [SockJSHeaderField]

    public init(status: Int, headers: [SockJSHeaderField]) {
        self.status = status
        self.headers = headers
    }
}
