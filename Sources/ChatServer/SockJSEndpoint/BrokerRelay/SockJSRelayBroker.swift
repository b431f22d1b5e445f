import ChatCore

/// The hub's broker in a SockJS cluster: the node's one queue carries both chat events and
/// relay messages, and this split hands each to its consumer.
///
/// The node keeps a single queue and consumer (RabbitMQ sees two connections and one queue per
/// node, forwarding included); relay messages never reach the `Hub`.
struct SockJSRelayBroker: Broker {
    let inner: any Broker
    let cluster: BrokerSockJSCluster

    func publish(_ message: BrokerMessage, confirm: Bool) async throws {
        try await inner.publish(message, confirm: confirm)
    }

    func bind(_ pattern: String) async throws {
        try await inner.bind(pattern)
    }

    func unbind(_ pattern: String) async throws {
        try await inner.unbind(pattern)
    }

    func consume(_ handler: @escaping @Sendable (BrokerMessage) async -> Void) async throws {
        let cluster = self.cluster
        try await inner.consume { message in
            if RelayTopic.isRelay(message.topic) {
                await cluster.handle(message)
            } else {
                await handler(message)
            }
        }
    }

    func recoveries() -> AsyncStream<Void> { inner.recoveries() }
}
