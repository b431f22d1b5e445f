import Logging
public import NIOCore

/// An AMQP channel: where declarations, publishes and consumers happen.
///
/// Every method is `async` and throws `AMQPError`. A broker error on a channel (for example
/// NOT_FOUND for a passive declare of a missing queue) fails the call that caused it with the
/// broker's reply code and closes only this channel; the connection and its other channels stay
/// usable. Later calls on a closed channel throw `.channelClosed`.
///
/// Channels survive automatic recovery: the same object is reopened on the new connection with
/// its prefetch and confirm mode, and its consumers resume.
public final class AMQPChannel: Sendable {
    /// The channel number on the connection.
    public let id: UInt16
    /// Mandatory publishes the broker could not route (`basic.return`).
    ///
    /// A single-consumer stream buffering the newest 1,024 returns; it ends when the channel
    /// closes.
    public let returns: AsyncStream<AMQPReturnedMessage>

    let connection: AMQPConnection
    private let returnsContinuation: AsyncStream<AMQPReturnedMessage>.Continuation
    private let state: NIOLoopBoundBox<State>

    struct ConsumerRecord {
        var queue: String
        var noAck: Bool
        var exclusive: Bool
        var arguments: AMQPTable
        let stream: ConsumerStream
    }

    struct State {
        var closeReason: AMQPError?
        var prefetch: AMQPMethod.Basic.Qos?
        var confirmMode = false
        var consumers: [String: ConsumerRecord] = [:]
        var consumerOrder: [String] = []
        var returnedCount: UInt64 = 0
    }

    init(id: UInt16, connection: AMQPConnection) {
        self.id = id
        self.connection = connection
        (self.returns, self.returnsContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1024))
        self.state = .makeBoxSendingValue(State(), eventLoop: connection.eventLoop)
    }

    private var eventLoop: any EventLoop { self.connection.eventLoop }

    // MARK: Exchanges

    /// Declares an exchange (idempotent when the arguments match).
    ///
    /// Recorded for recovery unless `passive`. Throws `.preconditionFailed` when the exchange
    /// exists with different settings, `.notFound` for a passive declare of a missing one.
    public func declareExchange(
        _ name: String,
        type: String = "topic",
        durable: Bool = true,
        autoDelete: Bool = false,
        internal: Bool = false,
        passive: Bool = false,
        arguments: AMQPTable = [:]
    ) async throws {
        try Self.validate(name)
        _ = try await self.call(
            .exchange(
                .declare(
                    .init(
                        exchange: name, type: type, passive: passive, durable: durable, autoDelete: autoDelete,
                        internal: `internal`, arguments: arguments)
                )
            )
        )
        if !passive {
            let exchange = TopologyRecorder.Exchange(
                name: name, type: type, durable: durable, autoDelete: autoDelete, internal: `internal`,
                arguments: arguments)
            self.connection.recordTopology { $0.declared(exchange) }
        }
    }

    /// Deletes an exchange.
    public func deleteExchange(_ name: String, ifUnused: Bool = false) async throws {
        _ = try await self.call(.exchange(.delete(.init(exchange: name, ifUnused: ifUnused))))
        self.connection.recordTopology { $0.deletedExchange(name) }
    }

    /// Binds exchange `destination` to `source` (RabbitMQ's exchange-to-exchange bindings).
    public func bindExchange(
        _ destination: String, to source: String, routingKey: String, arguments: AMQPTable = [:]
    ) async throws {
        _ = try await self.call(
            .exchange(
                .bind(.init(destination: destination, source: source, routingKey: routingKey, arguments: arguments))))
        let binding = TopologyRecorder.Binding(
            destination: .exchange(destination), source: source, routingKey: routingKey, arguments: arguments)
        self.connection.recordTopology { $0.bound(binding) }
    }

    /// Removes an exchange-to-exchange binding.
    public func unbindExchange(
        _ destination: String, from source: String, routingKey: String, arguments: AMQPTable = [:]
    ) async throws {
        _ = try await self.call(
            .exchange(
                .unbind(.init(destination: destination, source: source, routingKey: routingKey, arguments: arguments))))
        let binding = TopologyRecorder.Binding(
            destination: .exchange(destination), source: source, routingKey: routingKey, arguments: arguments)
        self.connection.recordTopology { $0.unbound(binding) }
    }

    // MARK: Queues

    /// Declares a queue; an empty `name` asks the broker to generate one.
    ///
    /// Returns the queue's name and counts. Recorded for recovery unless `passive`; a
    /// server-named queue gets a new name on recovery, reported as
    /// `AMQPConnectionEvent.queueRenamed`, and its bindings and consumers follow it.
    @discardableResult
    public func declareQueue(
        _ name: String = "",
        durable: Bool = false,
        exclusive: Bool = false,
        autoDelete: Bool = false,
        passive: Bool = false,
        arguments: AMQPTable = [:]
    ) async throws -> AMQPQueueDeclaration {
        try Self.validate(name)
        let response = try await self.call(
            .queue(
                .declare(
                    .init(
                        queue: name, passive: passive, durable: durable, exclusive: exclusive, autoDelete: autoDelete,
                        arguments: arguments)))
        )
        guard case .queue(.declareOk(let ok)) = response.method else {
            throw Self.unexpectedReply(response.method)
        }
        if !passive {
            let queue = TopologyRecorder.Queue(
                name: ok.queue, serverNamed: name.isEmpty, durable: durable, exclusive: exclusive,
                autoDelete: autoDelete, arguments: arguments
            )
            self.connection.recordTopology { $0.declared(queue) }
        }
        return AMQPQueueDeclaration(name: ok.queue, messageCount: ok.messageCount, consumerCount: ok.consumerCount)
    }

    /// Binds `queue` to `exchange` with `routingKey` (a topic pattern on topic exchanges).
    public func bindQueue(
        _ queue: String, exchange: String, routingKey: String, arguments: AMQPTable = [:]
    ) async throws {
        try Self.validate(routingKey)
        _ = try await self.call(
            .queue(.bind(.init(queue: queue, exchange: exchange, routingKey: routingKey, arguments: arguments))))
        let binding = TopologyRecorder.Binding(
            destination: .queue(queue), source: exchange, routingKey: routingKey, arguments: arguments)
        self.connection.recordTopology { $0.bound(binding) }
    }

    /// Removes a binding.
    public func unbindQueue(
        _ queue: String, exchange: String, routingKey: String, arguments: AMQPTable = [:]
    ) async throws {
        _ = try await self.call(
            .queue(.unbind(.init(queue: queue, exchange: exchange, routingKey: routingKey, arguments: arguments))))
        let binding = TopologyRecorder.Binding(
            destination: .queue(queue), source: exchange, routingKey: routingKey, arguments: arguments)
        self.connection.recordTopology { $0.unbound(binding) }
    }

    /// Removes every ready message from a queue; returns how many were removed.
    @discardableResult
    public func purgeQueue(_ name: String) async throws -> UInt32 {
        let response = try await self.call(.queue(.purge(.init(queue: name))))
        guard case .queue(.purgeOk(let ok)) = response.method else { throw Self.unexpectedReply(response.method) }
        return ok.messageCount
    }

    /// Deletes a queue; returns how many messages it held.
    @discardableResult
    public func deleteQueue(_ name: String, ifUnused: Bool = false, ifEmpty: Bool = false) async throws -> UInt32 {
        let response = try await self.call(.queue(.delete(.init(queue: name, ifUnused: ifUnused, ifEmpty: ifEmpty))))
        guard case .queue(.deleteOk(let ok)) = response.method else { throw Self.unexpectedReply(response.method) }
        self.connection.recordTopology { $0.deletedQueue(name) }
        return ok.messageCount
    }

    // MARK: Quality of service, confirms

    /// Limits unacknowledged deliveries to this channel's consumers (`prefetchCount` messages).
    ///
    /// With manual acks this bounds the client's memory: the broker stops delivering until
    /// the application acks. Re-applied on recovery.
    public func qos(prefetchCount: UInt16, prefetchSize: UInt32 = 0, global: Bool = false) async throws {
        let qos = AMQPMethod.Basic.Qos(prefetchSize: prefetchSize, prefetchCount: prefetchCount, global: global)
        _ = try await self.call(.basic(.qos(qos)))
        try await self.eventLoop.submit { self.state.value.prefetch = qos }.get()
    }

    /// Puts the channel in confirm mode: the broker acks (or nacks) every publish.
    ///
    /// Afterwards `publish` waits for the broker's confirm. Re-applied on recovery.
    public func enableConfirms() async throws {
        _ = try await self.call(.confirm(.select(.init())))
        try await self.eventLoop.submit { self.state.value.confirmMode = true }.get()
    }

    // MARK: Publishing

    /// Publishes a message and, in confirm mode, waits for the broker's confirm.
    ///
    /// Throws `.publishNacked` when the broker refuses responsibility and `.connectionLost`
    /// (retryable) when the connection drops before the confirm; the message may then have
    /// been delivered or not, so publish it again (consumers should be idempotent).
    /// With `mandatory`, an unroutable message comes back on `returns`. Awaited on the caller's
    /// executor (`nonisolated(nonsending)`).
    nonisolated(nonsending) public func publish(
        _ body: ByteBuffer,
        exchange: String = "",
        routingKey: String,
        mandatory: Bool = false,
        properties: AMQPBasicProperties = AMQPBasicProperties()
    ) async throws {
        try await self.enqueuePublish(
            body, exchange: exchange, routingKey: routingKey, mandatory: mandatory, properties: properties
        ).wait()
    }

    /// Publishes without waiting; returns the confirm to await later.
    ///
    /// Publishes enqueued from one task go out in call order, so a publisher can keep a window
    /// of confirms outstanding. Outside confirm mode the returned confirmation completes once
    /// the message is written.
    public func enqueuePublish(
        _ body: ByteBuffer,
        exchange: String = "",
        routingKey: String,
        mandatory: Bool = false,
        properties: AMQPBasicProperties = AMQPBasicProperties()
    ) throws -> AMQPConfirmation {
        try Self.validate(exchange)
        try Self.validate(routingKey)
        let confirm = self.eventLoop.makePromise(of: Void.self)
        self.connection.submit(
            .publish(
                channel: self.id,
                .init(exchange: exchange, routingKey: routingKey, mandatory: mandatory),
                properties,
                body,
                confirm: confirm
            ),
            for: self
        )
        let future = confirm.futureResult
        return AMQPConfirmation(future: future)
    }

    // MARK: Consuming

    /// Starts a consumer on `queue` and returns its deliveries as an async sequence.
    ///
    /// With `noAck: false` (the default) every delivery must be acked, nacked or rejected;
    /// combine with `qos(prefetchCount:)`. The sequence ends without error after `cancel`,
    /// and throws `.consumerCancelled` when the broker cancels the consumer (queue deleted).
    /// Leaving the `for try await` loop cancels the consumer. With recovery the sequence
    /// survives reconnects.
    public func consume(
        queue: String,
        consumerTag: String = "",
        noAck: Bool = false,
        exclusive: Bool = false,
        arguments: AMQPTable = [:]
    ) async throws -> AMQPConsumer {
        let tag = consumerTag.isEmpty ? "rabbitchat-\(self.id)-\(UInt64.random(in: 0...UInt64.max))" : consumerTag
        try Self.validate(tag)
        let stream = ConsumerStream(tag: tag, channel: self)
        let record = ConsumerRecord(
            queue: queue, noAck: noAck, exclusive: exclusive, arguments: arguments, stream: stream)
        try await self.eventLoop.submit {
            self.state.value.consumers[tag] = record
            self.state.value.consumerOrder.append(tag)
        }.get()
        let promise = self.eventLoop.makePromise(of: ChannelResponse.self)
        let consume = AMQPMethod.Basic.Consume(
            queue: queue, consumerTag: tag, noAck: noAck, exclusive: exclusive, arguments: arguments)
        self.connection.submit(.consume(channel: self.id, consume, stream, promise), for: self)
        do {
            _ = try await promise.futureResult.get()
        } catch {
            self.eventLoop.execute { self.removeConsumer(tag) }
            throw error
        }
        return AMQPConsumer(consumerTag: tag, stream: stream.stream, channel: self)
    }

    /// Cancels a consumer; its sequence ends after deliveries already received.
    public func cancel(consumerTag: String) async throws {
        _ = try await self.call(.basic(.cancel(.init(consumerTag: consumerTag))))
    }

    /// Fetches one message from `queue`, or nil when it is empty.
    public func get(queue: String, noAck: Bool = false) async throws -> AMQPGetResult? {
        let response = try await self.call(.basic(.get(.init(queue: queue, noAck: noAck))))
        switch response.method {
        case .basic(.getOk(let ok)):
            let delivery = AMQPDelivery(
                exchange: ok.exchange,
                routingKey: ok.routingKey,
                deliveryTag: ok.deliveryTag,
                redelivered: ok.redelivered,
                consumerTag: "",
                properties: response.properties ?? AMQPBasicProperties(),
                body: response.body ?? ByteBuffer(),
                channel: self,
                generation: response.generation
            )
            return AMQPGetResult(delivery: delivery, messageCount: ok.messageCount)
        case .basic(.getEmpty):
            return nil
        default:
            throw Self.unexpectedReply(response.method)
        }
    }

    // MARK: Closing

    /// Closes the channel; its consumers' sequences end without error.
    public func close() async throws {
        let promise = self.eventLoop.makePromise(of: Void.self)
        self.connection.submit(.closeChannel(self.id, promise), for: self)
        try await promise.futureResult.get()
        try await self.eventLoop.submit {
            if self.state.value.closeReason == nil {
                self.state.value.closeReason = AMQPError(
                    code: .channelClosed, message: "channel \(self.id) was closed by the application")
            }
            self.finishConsumers(error: nil)
            self.returnsContinuation.finish()
            self.connection.channelClosed(self)
        }.get()
    }

    // MARK: Internals

    /// Why the channel is closed, or nil while it is usable. Event loop only.
    var closeReason: AMQPError? {
        self.state.value.closeReason
    }

    func call(_ method: AMQPMethod) async throws -> ChannelResponse {
        let promise = self.eventLoop.makePromise(of: ChannelResponse.self)
        self.connection.submit(.call(channel: self.id, method, promise), for: self)
        return try await promise.futureResult.get()
    }

    /// Queues an ack/nack/reject without waiting for the socket write.
    ///
    /// Waiting would cost two thread hops per message on the consume path (half the client's
    /// CPU per delivery in `scripts/amqp/bench`). Nothing useful can be done with a failure
    /// anyway: a settle that cannot be delivered (channel closed, delivery from a connection
    /// that has since been lost) is dropped, and the broker redelivers the message.
    /// The handler logs a dropped settle at debug level; no promise is allocated per message.
    func settle(_ method: AMQPMethod, generation: UInt64) {
        self.connection.submit(.send(channel: self.id, method, generation: generation, nil), for: self)
    }

    /// A mandatory publish came back. Event loop only.
    func returned(_ message: AMQPReturnedMessage) {
        self.state.value.returnedCount += 1
        self.returnsContinuation.yield(message)
    }

    /// How many mandatory publishes came back on this channel so far.
    ///
    /// RabbitMQ sends a message's `basic.return` before its confirm, and both are handled in
    /// order on the connection's event loop: read after a publish's confirm, the count already
    /// includes that publish's return. With one mandatory publish in flight at a time, "did it
    /// reach a queue" is then exact, without reading `returns`.
    public var returnedMessageCount: UInt64 {
        get async throws {
            try await self.connection.eventLoop.submit { self.state.value.returnedCount }.get()
        }
    }

    /// The broker closed the channel (a soft error). Event loop only.
    func closedByBroker(_ error: AMQPError) {
        self.state.value.closeReason = AMQPError(
            code: .channelClosed,
            message: "channel \(self.id) was closed by the broker: \(error.code) \(error.message)",
            underlying: error
        )
        self.state.value.consumers.removeAll()
        self.state.value.consumerOrder.removeAll()
        self.returnsContinuation.finish()
    }

    /// The connection closed for good. Event loop only.
    func connectionEnded(_ error: AMQPError?) {
        if self.state.value.closeReason == nil {
            self.state.value.closeReason =
                error ?? AMQPError(code: .connectionClosed, message: "the connection was closed by the application")
        }
        self.finishConsumers(error: error)
        self.returnsContinuation.finish()
    }

    /// Forgets a consumer whose sequence ended. Event loop only.
    func removeConsumer(_ tag: String) {
        if self.state.value.consumers.removeValue(forKey: tag) != nil {
            self.state.value.consumerOrder.removeAll { $0 == tag }
        }
    }

    /// Cancels a consumer whose sequence the application stopped iterating.
    func cancelAbandonedConsumer(_ tag: String) {
        let promise = self.eventLoop.makePromise(of: ChannelResponse.self)
        promise.futureResult.whenComplete { _ in }
        self.connection.submit(.call(channel: self.id, .basic(.cancel(.init(consumerTag: tag))), promise), for: self)
    }

    private func finishConsumers(error: AMQPError?) {
        let streams = self.state.value.consumerOrder.compactMap { self.state.value.consumers[$0]?.stream }
        self.state.value.consumers.removeAll()
        self.state.value.consumerOrder.removeAll()
        for stream in streams {
            stream.finish(error: error)
        }
    }

    /// Reopens the channel on a recovered link with its prefetch and confirm mode.
    func reopen(on link: AMQPConnection.Link) async throws {
        let settings = try await self.eventLoop.submit { () -> (Bool, AMQPMethod.Basic.Qos?, Bool) in
            (self.state.value.closeReason == nil, self.state.value.prefetch, self.state.value.confirmMode)
        }.get()
        guard settings.0 else { return }
        let opened = self.eventLoop.makePromise(of: Void.self)
        HandlerCommand.openChannel(self.id, opened).send(to: link.channel)
        try await opened.futureResult.get()
        if let qos = settings.1 {
            _ = try await self.call(.basic(.qos(qos)), on: link)
        }
        if settings.2 {
            _ = try await self.call(.confirm(.select(.init())), on: link)
        }
    }

    /// Restarts this channel's consumers on a recovered link, following renamed queues.
    func resumeConsumers(on link: AMQPConnection.Link, renames: [String: String]) async throws {
        let records = try await self.eventLoop.submit { () -> [(String, ConsumerRecord)] in
            for tag in self.state.value.consumerOrder {
                if let queue = self.state.value.consumers[tag]?.queue, let renamed = renames[queue] {
                    self.state.value.consumers[tag]?.queue = renamed
                }
            }
            return self.state.value.consumerOrder.compactMap { tag in self.state.value.consumers[tag].map { (tag, $0) }
            }
        }.get()
        for (tag, record) in records {
            let promise = self.eventLoop.makePromise(of: ChannelResponse.self)
            let consume = AMQPMethod.Basic.Consume(
                queue: record.queue, consumerTag: tag, noAck: record.noAck, exclusive: record.exclusive,
                arguments: record.arguments
            )
            HandlerCommand.consume(channel: self.id, consume, record.stream, promise).send(to: link.channel)
            _ = try await promise.futureResult.get()
        }
    }

    private func call(_ method: AMQPMethod, on link: AMQPConnection.Link) async throws -> ChannelResponse {
        let promise = self.eventLoop.makePromise(of: ChannelResponse.self)
        HandlerCommand.call(channel: self.id, method, promise).send(to: link.channel)
        return try await promise.futureResult.get()
    }

    private static func validate(_ shortString: String) throws {
        guard shortString.utf8.count <= 255 else {
            throw AMQPError(code: .syntaxError, message: "name or routing key longer than 255 bytes")
        }
    }

    private static func unexpectedReply(_ method: AMQPMethod) -> AMQPError {
        AMQPError(code: .unexpectedFrame, message: "unexpected reply \(method.name)")
    }
}
