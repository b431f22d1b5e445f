/// One node's connection to an `InProcessExchange`: its queue and its bindings.
///
/// It `AnswersInProcess`: a publish returns once the message sits in every bound queue, and
/// waits only while a queue is full, until that node's hub consumer (which never waits on I/O)
/// takes the next message; a queue whose consumer stopped is deleted, which ends the wait.
public final class InProcessBroker: Broker, AnswersInProcess {
    let exchange: InProcessExchange
    let queueID: Int
    let queue: DeliveryQueue
    private let recoveryStream: AsyncStream<Void>
    /// Held so the recovery stream stays open (and silent) for the broker's lifetime.
    private let recoveryContinuation: AsyncStream<Void>.Continuation

    init(exchange: InProcessExchange, queueID: Int, queue: DeliveryQueue) {
        self.exchange = exchange
        self.queueID = queueID
        self.queue = queue
        (recoveryStream, recoveryContinuation) = AsyncStream.makeStream()
    }

    deinit {
        recoveryContinuation.finish()
    }

    public func publish(_ message: BrokerMessage, confirm: Bool) async throws {
        // Routing is synchronous with the publish: once it returns the message sits in every
        // bound queue, which is what a publisher confirm promises.
        await exchange.route(message)
    }

    public func bind(_ pattern: String) async throws {
        exchange.bind(queueID: queueID, pattern: pattern)
    }

    public func unbind(_ pattern: String) async throws {
        exchange.unbind(queueID: queueID, pattern: pattern)
    }

    /// Exact: the exchange's bindings are in this process.
    public func isRouted(_ topic: String) async throws -> Bool {
        exchange.isRouted(topic)
    }

    public func consume(_ handler: @escaping @Sendable (BrokerMessage) async -> Void) async throws {
        try await withTaskCancellationHandler {
            while let message = await queue.pop() {
                await handler(message)
                try Task.checkCancellation()
            }
        } onCancel: {
            exchange.delete(queueID: queueID)
        }
    }

    /// The in-process broker never loses its connection: the stream never yields.
    public func recoveries() -> AsyncStream<Void> { recoveryStream }

    /// Removes this node's queue, as an exclusive AMQP queue disappears with its connection.
    public func shutdown() {
        exchange.delete(queueID: queueID)
    }
}
