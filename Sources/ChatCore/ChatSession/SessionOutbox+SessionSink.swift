public import NIOCore

/// An outbox is the sink of a transport that drains it from an async writer (the SockJS
/// transports): thread-safe, so the hub fills it directly, with no event-loop hop.
extension SessionOutbox: SessionSink {
    public var eventLoop: (any EventLoop)? { nil }

    public var wireEncoding: WireEncoding { .json }

    public func deliver(_ wire: ByteBuffer, ephemeral: Bool) {
        enqueue(wire, ephemeral: ephemeral)
    }

    /// Nothing to do: the writer takes whatever is queued as one batch.
    public func flush() {}
}
