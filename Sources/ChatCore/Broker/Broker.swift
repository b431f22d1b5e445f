/// The pub/sub fabric between nodes: a topic exchange and this node's queue.
///
/// Every chat event takes the same path, on one node or many: publish to the broker, consume
/// from this node's queue, fan out to local sessions. The in-process broker serves a single
/// machine; the RabbitMQ broker serves several.
///
/// Bindings are per node, never per socket: the `Hub` reference-counts its interest and binds
/// `room.<r>.#` once per room with local members.
public protocol Broker: Sendable {
    /// Publishes a message to the exchange.
    ///
    /// - Parameters:
    ///   - message: The routing key and payload.
    ///   - confirm: When true the call returns only after the broker has taken responsibility
    ///     for the message (publisher confirm), and throws if it refused or was unreachable.
    ///     Ephemeral events (typing, presence) pass false.
    func publish(_ message: BrokerMessage, confirm: Bool) async throws

    /// Routes messages whose key matches `pattern` to this node's queue.
    func bind(_ pattern: String) async throws

    /// Stops routing `pattern` to this node's queue.
    func unbind(_ pattern: String) async throws

    /// Consumes this node's queue until the task is cancelled or the broker shuts down.
    ///
    /// Each message is acknowledged to the broker after `handler` returns, so a node that dies
    /// mid-delivery does not lose it from the broker's point of view.
    func consume(_ handler: @escaping @Sendable (BrokerMessage) async -> Void) async throws

    /// Yields each time the broker connection recovered after a loss.
    ///
    /// Messages published to this node while it was disconnected may be gone (its queue is
    /// exclusive), so the hub re-announces its presence and fills gaps from the store.
    func recoveries() -> AsyncStream<Void>

    /// Whether a message published to `topic` now would reach at least one queue.
    ///
    /// How a node learns at once that another node is gone: every node binds
    /// `node.<id>.alive` to its own queue, which the broker deletes with the node's connection
    /// (RabbitMQ: an exclusive queue). Throws when the broker cannot be asked right now.
    func isRouted(_ topic: String) async throws -> Bool

    /// Why this broker cannot serve chat now although it may still take a publish (say, its
    /// consumer connection is recovering), or nil when it can. `/readyz` reports it.
    func readinessProblem() async -> String?
}

extension Broker {
    /// A broker that cannot tell answers true: every node is presumed alive until it stops
    /// announcing its presence.
    public func isRouted(_ topic: String) async throws -> Bool { true }

    /// A broker without separate connections has nothing to add to its publish probe.
    public func readinessProblem() async -> String? { nil }
}
