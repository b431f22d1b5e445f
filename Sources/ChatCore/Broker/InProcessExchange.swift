import Synchronization

/// An in-process topic exchange: the embedded default broker, with nothing to install.
///
/// Several `Hub`s in one process (tests, or one process with several nodes) can share one
/// exchange, each through its own `InProcessBroker` (its "queue"), exactly as nodes share a
/// RabbitMQ exchange.
public final class InProcessExchange: Sendable {
    struct Queue: Sendable {
        let queue: DeliveryQueue
        var bindings: TopicTrie
    }

    private let queues = Mutex<[Int: Queue]>([:])
    private let nextID = Atomic<Int>(0)
    /// Capacity of each node queue, in messages.
    public let queueCapacity: Int

    /// - Parameter queueCapacity: how many undelivered messages a node queue holds before
    ///   publishers wait.
    public init(queueCapacity: Int = 65_536) {
        self.queueCapacity = queueCapacity
    }

    /// A new node queue on this exchange, with no bindings.
    public func makeBroker() -> InProcessBroker {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let queue = DeliveryQueue(capacity: queueCapacity)
        queues.withLock { $0[id] = Queue(queue: queue, bindings: TopicTrie()) }
        return InProcessBroker(exchange: self, queueID: id, queue: queue)
    }

    func route(_ message: BrokerMessage) async {
        let targets: [DeliveryQueue] = queues.withLock { queues in
            queues.values.compactMap { entry in
                entry.bindings.matches(message.topic) ? entry.queue : nil
            }
        }
        for target in targets {
            _ = await target.push(message)
        }
    }

    /// Whether some queue has a binding that matches `topic`.
    func isRouted(_ topic: String) -> Bool {
        queues.withLock { $0.values.contains { $0.bindings.matches(topic) } }
    }

    func bind(queueID: Int, pattern: String) {
        queues.withLock { _ = $0[queueID]?.bindings.insert(pattern) }
    }

    func unbind(queueID: Int, pattern: String) {
        queues.withLock { _ = $0[queueID]?.bindings.remove(pattern) }
    }

    func delete(queueID: Int) {
        let removed = queues.withLock { $0.removeValue(forKey: queueID) }
        removed?.queue.close()
    }

    /// The binding patterns of every queue, for tests and diagnostics.
    public var bindingCounts: [Int] {
        queues.withLock { $0.values.map(\.bindings.count) }
    }
}
