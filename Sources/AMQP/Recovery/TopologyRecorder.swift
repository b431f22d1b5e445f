/// What the application declared, so recovery can declare it again on a new connection.
///
/// Exchanges, queues and bindings live on the broker; after a broker restart non-durable ones
/// are gone, and exclusive or auto-delete queues always die with the connection. Entries are
/// added when a declare succeeds and removed on delete/unbind. A value type: recovery reads a
/// snapshot and applies renames of server-named queues through `rename(queue:to:)`.
struct TopologyRecorder: Sendable {
    struct Exchange: Sendable, Hashable {
        var name: String
        var type: String
        var durable: Bool
        var autoDelete: Bool
        var `internal`: Bool
        var arguments: AMQPTable
    }

    struct Queue: Sendable, Hashable {
        var name: String
        /// Declared with an empty name: the broker picks a new name on every declare.
        var serverNamed: Bool
        var durable: Bool
        var exclusive: Bool
        var autoDelete: Bool
        var arguments: AMQPTable
    }

    struct Binding: Sendable, Hashable {
        enum Destination: Sendable, Hashable {
            case queue(String)
            case exchange(String)
        }

        var destination: Destination
        var source: String
        var routingKey: String
        var arguments: AMQPTable
    }

    private(set) var exchanges: [Exchange] = []
    private(set) var queues: [Queue] = []
    private(set) var bindings: [Binding] = []

    mutating func declared(_ exchange: Exchange) {
        self.exchanges.removeAll { $0.name == exchange.name }
        self.exchanges.append(exchange)
    }

    mutating func deletedExchange(_ name: String) {
        self.exchanges.removeAll { $0.name == name }
        self.bindings.removeAll { $0.source == name || $0.destination == .exchange(name) }
    }

    mutating func declared(_ queue: Queue) {
        self.queues.removeAll { $0.name == queue.name }
        self.queues.append(queue)
    }

    mutating func deletedQueue(_ name: String) {
        self.queues.removeAll { $0.name == name }
        self.bindings.removeAll { $0.destination == .queue(name) }
    }

    mutating func bound(_ binding: Binding) {
        guard !self.bindings.contains(binding) else { return }
        self.bindings.append(binding)
    }

    mutating func unbound(_ binding: Binding) {
        self.bindings.removeAll { $0 == binding }
    }

    /// A server-named queue came back under a new name: bindings follow it.
    mutating func rename(queue old: String, to new: String) {
        for index in self.queues.indices where self.queues[index].name == old {
            self.queues[index].name = new
        }
        for index in self.bindings.indices where self.bindings[index].destination == .queue(old) {
            self.bindings[index].destination = .queue(new)
        }
    }
}
