import NIOCore
import SockJS

/// The three streams through which a forwarded request's answer reaches the waiting request
/// handler: the owner's acceptance (or RabbitMQ's return), the head, and the body chunks.
struct RelayStreams: Sendable {
    let acceptance: AsyncThrowingStream<Bool, any Error>.Continuation
    let head: AsyncThrowingStream<SockJSResponseHead, any Error>.Continuation
    let body: AsyncThrowingStream<ByteBuffer, any Error>.Continuation

    /// Ends every stream normally (a reader still waiting for a head or acceptance sees none).
    func finish() {
        acceptance.finish()
        head.finish()
        body.finish()
    }

    /// Ends every stream with `error`; chunks already buffered are still read first.
    func finish(throwing error: SockJSClusterError) {
        acceptance.finish(throwing: error)
        head.finish(throwing: error)
        body.finish(throwing: error)
    }
}
