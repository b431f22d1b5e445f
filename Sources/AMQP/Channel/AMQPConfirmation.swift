import NIOCore

/// The pending publisher confirm of one publish.
///
/// Returned by `AMQPChannel.enqueuePublish` so a publisher can keep many publishes in flight
/// (pipelining) and still learn, per message, whether the broker took responsibility.
public struct AMQPConfirmation: Sendable {
    let future: EventLoopFuture<Void>

    /// Waits until the broker confirms the publish.
    ///
    /// Throws `AMQPError` `.publishNacked` on a nack, `.connectionLost` (retryable) when the
    /// connection dropped first, `.channelClosed` when the channel closed first.
    public func wait() async throws {
        try await self.future.get()
    }
}
