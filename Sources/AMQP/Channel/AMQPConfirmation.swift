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
    ///
    /// Awaited on the caller's executor (`nonisolated(nonsending)`): no hop to the global
    /// executor and back when the publisher runs on an actor.
    nonisolated(nonsending) public func wait() async throws {
        try await Self.value(of: self.future)
    }

    /// `future.get()` without leaving the caller's executor.
    nonisolated(nonsending) static func value<Value: Sendable>(of future: EventLoopFuture<Value>) async throws -> Value
    {
        try await withUnsafeThrowingContinuation { continuation in
            future.whenComplete { continuation.resume(with: $0) }
        }
    }

    /// Waits for every confirmation, in one hop to the event loop.
    ///
    /// Cheaper than awaiting each one when a publisher keeps a window of publishes in flight;
    /// throws the first failure (a nack, a lost connection) after all have completed.
    nonisolated(nonsending) public static func waitForAll(_ confirmations: [AMQPConfirmation]) async throws {
        guard let eventLoop = confirmations.first?.future.eventLoop else { return }
        if confirmations.count == 1 {
            // One confirm: one hop (registering the callback), not two.
            try await Self.value(of: confirmations[0].future)
            return
        }
        let futures = confirmations.map(\.future)
        // One hop to the loop, which resumes us when the last one completed.
        let results = await withCheckedContinuation {
            (continuation: CheckedContinuation<[Result<Void, any Error>], Never>) in
            eventLoop.execute {
                EventLoopFuture.whenAllComplete(futures, on: eventLoop).whenSuccess {
                    continuation.resume(returning: $0)
                }
            }
        }
        for result in results {
            try result.get()
        }
    }
}
