import AMQP
public import ChatCore
public import Logging
import NIOCore
public import ServiceLifecycle
import Synchronization

/// The chat `Broker` on RabbitMQ: how several nodes share rooms.
///
/// Per node it keeps two long-lived AMQP connections, never one per client: a publisher
/// (confirm mode) and a consumer, as RabbitMQ advises, so flow control on publishing never
/// stalls consuming. The consumer owns one exclusive, server-named queue bound to the topic
/// exchange `rabbitchat` with the patterns the `Hub` asks for, consumed with manual acks and a
/// bounded prefetch. Both connections recover by themselves (the AMQP client redeclares the
/// exchange, the queue — under a new name — its bindings and the consumer); the broker reports
/// each recovery so the hub can re-announce presence and fill any gap from the store.
///
/// Given several URLs (the members of one RabbitMQ cluster), each connection fails over to the
/// next member when its broker is lost. When one connection is back, the other retries at once,
/// so the node is never half-connected for a backoff interval; `readinessProblem()` names a
/// connection that is still recovering.
public final class RabbitMQBroker: ReturningBroker, Service {
    /// Connection settings of the broker.
    public struct Configuration: Sendable {
        /// `amqp://user:pass@host:port/vhost`, or several such URLs separated by commas: the
        /// members of one RabbitMQ cluster, tried in turn.
        public var url: String
        /// The URLs of `url`, one per cluster member.
        public var urls: [String] { Self.urls(in: url) }

        /// The URLs of a comma-separated list (`--amqp-url`, `RABBITCHAT_AMQP_URL`), blanks dropped.
        public static func urls(in list: String) -> [String] {
            AMQPConnection.Configuration.splitURLList(list)
        }
        /// The topic exchange all nodes share.
        public var exchange: String
        /// Unacknowledged deliveries the consumer may hold (RabbitMQ advises 100–300).
        public var prefetch: UInt16
        /// How long a confirmed publish may wait for the broker's confirm before the `send`
        /// fails with a retryable error.
        public var confirmTimeout: Duration
        /// Shown in the RabbitMQ management UI, suffixed with `publisher`/`consumer`.
        public var connectionName: String

        public init(
            url: String, exchange: String = "rabbitchat", prefetch: UInt16 = 200,
            confirmTimeout: Duration = .seconds(5), connectionName: String = "rabbitchat"
        ) {
            self.url = url
            self.exchange = exchange
            self.prefetch = prefetch
            self.confirmTimeout = confirmTimeout
            self.connectionName = connectionName
        }
    }

    let configuration: Configuration
    let publisherConnection: AMQPConnection
    let consumerConnection: AMQPConnection
    let publisher: AMQPChannel
    /// Mandatory publishes of `isRouted(_:)`, one at a time (`probeTail`), so the channel's
    /// return count tells exactly whether that one came back.
    let prober: AMQPChannel
    let consumerChannel: AMQPChannel
    /// Started at connect time, before any bind: calls on one channel from concurrent tasks
    /// must not interleave a consume with binds. It survives recovery (it follows the renamed
    /// queue) and holds at most `prefetch` deliveries until `consume(_:)` iterates it.
    let consumer: AMQPConsumer
    let logger: Logger
    private let queueName: Mutex<String>
    private let recoveryStream: AsyncStream<Void>
    private let recoveryContinuation: AsyncStream<Void>.Continuation
    /// The last routing probe, which the next one waits for.
    private let probeTail = Mutex<Task<Void, Never>?>(nil)
    /// Which connections are up, as their events tell (a lost one is down until `recovered`).
    private let linksUp = Mutex<[Role: Bool]>([.publisher: true, .consumer: true])

    /// The two connections of a node.
    enum Role: String, Sendable {
        case publisher, consumer
    }

    private init(
        configuration: Configuration, publisherConnection: AMQPConnection, consumerConnection: AMQPConnection,
        publisher: AMQPChannel, prober: AMQPChannel, consumerChannel: AMQPChannel, consumer: AMQPConsumer,
        queueName: String, logger: Logger
    ) {
        self.configuration = configuration
        self.publisherConnection = publisherConnection
        self.consumerConnection = consumerConnection
        self.publisher = publisher
        self.prober = prober
        self.consumerChannel = consumerChannel
        self.consumer = consumer
        self.queueName = Mutex(queueName)
        self.logger = logger
        (recoveryStream, recoveryContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Connects both connections, declares the exchange and this node's queue.
    ///
    /// Fails with the AMQP client's typed error (e.g. ACCESS_REFUSED) when RabbitMQ refuses or
    /// cannot be reached, so `serve` can say exactly why it cannot start.
    public static func connect(configuration: Configuration, logger: Logger) async throws -> RabbitMQBroker {
        var publisherConfiguration = try AMQPConnection.Configuration(urls: configuration.urls)
        publisherConfiguration.connectionName = "\(configuration.connectionName) publisher"
        var consumerConfiguration = try AMQPConnection.Configuration(urls: configuration.urls)
        consumerConfiguration.connectionName = "\(configuration.connectionName) consumer"

        let publisherConnection = try await AMQPConnection.connect(
            configuration: publisherConfiguration, logger: logger)
        let consumerConnection: AMQPConnection
        do {
            consumerConnection = try await AMQPConnection.connect(configuration: consumerConfiguration, logger: logger)
        } catch {
            try? await publisherConnection.close()
            throw error
        }
        do {
            let publisher = try await publisherConnection.openChannel()
            try await publisher.enableConfirms()
            try await publisher.declareExchange(configuration.exchange, type: "topic", durable: true)
            let prober = try await publisherConnection.openChannel()
            try await prober.enableConfirms()
            let consumerChannel = try await consumerConnection.openChannel()
            try await consumerChannel.qos(prefetchCount: configuration.prefetch)
            try await consumerChannel.declareExchange(configuration.exchange, type: "topic", durable: true)
            let queue = try await consumerChannel.declareQueue(exclusive: true, autoDelete: true)
            let consumer = try await consumerChannel.consume(queue: queue.name)
            return RabbitMQBroker(
                configuration: configuration, publisherConnection: publisherConnection,
                consumerConnection: consumerConnection, publisher: publisher, prober: prober,
                consumerChannel: consumerChannel, consumer: consumer, queueName: queue.name, logger: logger)
        } catch {
            try? await publisherConnection.close()
            try? await consumerConnection.close()
            throw error
        }
    }

    /// This node's queue name (it changes when recovery redeclares the server-named queue).
    public var queue: String { queueName.withLock { $0 } }

    public func publish(_ message: BrokerMessage, confirm: Bool) async throws {
        let confirmation: AMQPConfirmation
        do {
            confirmation = try publisher.enqueuePublish(
                message.payload, exchange: configuration.exchange, routingKey: message.topic,
                properties: AMQPBasicProperties(contentType: "application/json", deliveryMode: 1))
        } catch {
            throw Self.brokerError(error)
        }
        guard confirm else { return }
        let timeout = configuration.confirmTimeout
        do {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await confirmation.wait()
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return false
                }
                let confirmed = try await group.next() ?? false
                group.cancelAll()
                if !confirmed {
                    throw BrokerError(.timeout, "no publisher confirm within \(timeout)")
                }
            }
        } catch let error as BrokerError {
            throw error
        } catch {
            throw Self.brokerError(error)
        }
    }

    public func bind(_ pattern: String) async throws {
        do {
            try await consumerChannel.bindQueue(queue, exchange: configuration.exchange, routingKey: pattern)
        } catch {
            throw Self.brokerError(error)
        }
    }

    public func unbind(_ pattern: String) async throws {
        do {
            try await consumerChannel.unbindQueue(queue, exchange: configuration.exchange, routingKey: pattern)
        } catch {
            throw Self.brokerError(error)
        }
    }

    public func consume(_ handler: @escaping @Sendable (BrokerMessage) async -> Void) async throws {
        for try await delivery in consumer {
            await handler(BrokerMessage(topic: delivery.routingKey, payload: delivery.body))
            do {
                try await delivery.ack()
            } catch {
                // A delivery of a lost connection cannot be acked; the broker redelivers it (or
                // the exclusive queue is gone) and the hub's seq check drops duplicates.
                logger.debug("ack failed", metadata: ["error": "\(error)"])
            }
        }
    }

    public func recoveries() -> AsyncStream<Void> { recoveryStream }

    /// A confirmed mandatory publish to `topic` on the probe channel: routed unless RabbitMQ
    /// returned it. Probes run one at a time, each bounded by the confirm timeout.
    public func isRouted(_ topic: String) async throws -> Bool {
        let probe: Task<Bool, any Error> = probeTail.withLock { tail in
            let previous = tail
            let probe = Task { () async throws -> Bool in
                await previous?.value
                return try await self.probeOnce(topic)
            }
            tail = Task { _ = try? await probe.value }
            return probe
        }
        return try await probe.value
    }

    private func probeOnce(_ topic: String) async throws -> Bool {
        do {
            let before = try await prober.returnedMessageCount
            let confirmation = try prober.enqueuePublish(
                ByteBuffer(), exchange: configuration.exchange, routingKey: topic, mandatory: true,
                properties: AMQPBasicProperties(deliveryMode: 1))
            try await Deadline(in: configuration.confirmTimeout).run("routing probe") { try await confirmation.wait() }
            return try await prober.returnedMessageCount == before
        } catch let error as BrokerError {
            throw error
        } catch {
            throw Self.brokerError(error)
        }
    }

    /// Names a connection that is down: `/readyz` stays red until both are back, since `hello`
    /// needs the consumer (a binding) and `send` the publisher.
    public func readinessProblem() async -> String? {
        let down = linksUp.withLock { links in links.filter { !$0.value }.map(\.key.rawValue).sorted() }
        guard !down.isEmpty else { return nil }
        return "RabbitMQ \(down.joined(separator: " and ")) connection recovering"
    }

    /// Publishes on the same channel as `publish`, so publishes from one task stay in order.
    public func publishMandatory(_ message: BrokerMessage) throws {
        do {
            // The confirm is not awaited: RabbitMQ sends `basic.return` for an unroutable
            // mandatory message, and routed ones are answered by their owner.
            _ = try publisher.enqueuePublish(
                message.payload, exchange: configuration.exchange, routingKey: message.topic, mandatory: true,
                properties: AMQPBasicProperties(contentType: "application/octet-stream", deliveryMode: 1))
        } catch {
            throw Self.brokerError(error)
        }
    }

    public func consumeReturns(_ handler: @escaping @Sendable (BrokerMessage) async -> Void) async {
        for await returned in publisher.returns {
            await handler(BrokerMessage(topic: returned.routingKey, payload: returned.body))
        }
    }

    /// Keeps both connections until graceful shutdown, following recovery events.
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.publisherConnection.run() }
            group.addTask { try await self.consumerConnection.run() }
            group.addTask {
                await self.watch(self.consumerConnection, role: .consumer, sibling: self.publisherConnection)
            }
            group.addTask {
                await self.watch(self.publisherConnection, role: .publisher, sibling: self.consumerConnection)
            }
            try await group.next()
            group.cancelAll()
        }
        recoveryContinuation.finish()
    }

    private func watch(_ connection: AMQPConnection, role: Role, sibling: AMQPConnection) async {
        for await event in connection.events {
            switch event {
            case .queueRenamed(_, let new):
                queueName.withLock { $0 = new }
            case .recovered:
                let endpoint = await connection.currentEndpoint
                logger.notice(
                    "RabbitMQ connection recovered",
                    metadata: ["connection": "\(role.rawValue)", "endpoint": "\(endpoint.map { "\($0)" } ?? "?")"])
                linksUp.withLock { $0[role] = true }
                // The broker answers again: the other connection should not sleep out its backoff.
                sibling.retryNow()
                recoveryContinuation.yield()
            case .connectionLost(let reason):
                linksUp.withLock { $0[role] = false }
                logger.warning(
                    "RabbitMQ connection lost", metadata: ["connection": "\(role.rawValue)", "reason": "\(reason)"])
            case .blocked(let reason):
                logger.warning(
                    "RabbitMQ blocked publishing", metadata: ["connection": "\(role.rawValue)", "reason": "\(reason)"])
            case .unblocked:
                logger.notice("RabbitMQ unblocked publishing", metadata: ["connection": "\(role.rawValue)"])
            case .recoveryFailed, .closed:
                linksUp.withLock { $0[role] = false }
            case .recoveryAttemptFailed:
                break
            }
        }
    }

    /// Closes both connections (tests; the service closes them on graceful shutdown).
    public func close() async {
        try? await publisherConnection.close()
        try? await consumerConnection.close()
    }

    static func brokerError(_ error: any Error) -> BrokerError {
        guard let amqp = error as? AMQPError else {
            return BrokerError(.unavailable, "\(error)")
        }
        if amqp.code == .publishNacked {
            return BrokerError(.rejected, amqp.description)
        }
        return BrokerError(.unavailable, amqp.description)
    }
}
