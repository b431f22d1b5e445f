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

    /// Waits for every confirmation, in one hop to the event loop.
    ///
    /// Cheaper than awaiting each one when a publisher keeps a window of publishes in flight;
    /// throws the first failure (a nack, a lost connection) after all have completed.
    public static func waitForAll(_ confirmations: [AMQPConfirmation]) async throws {
        guard let eventLoop = confirmations.first?.future.eventLoop else { return }
        let futures = confirmations.map(\.future)
        let results = try await eventLoop.flatSubmit {
            EventLoopFuture.whenAllComplete(futures, on: eventLoop)
        }.get()
        for result in results {
            try result.get()
        }
    }
}
