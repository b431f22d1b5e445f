public import Logging
public import NIOCore
public import NIOPosix
public import ServiceLifecycle

/// A connection to RabbitMQ: the async/await façade over one TCP connection at a time.
///
/// Connect with `AMQPConnection.connect(to:)`, open channels with `openChannel()`. All mutable
/// state lives on one event loop (the loop of the socket) in a `NIOLoopBoundBox`, so the class
/// is `Sendable` without locks; protocol logic lives in `AMQPConnectionHandler` and its state
/// machines.
///
/// When the socket drops or the broker restarts and `configuration.recovery.isEnabled`, the
/// connection reconnects (`RecoverySchedule`: every endpoint of a cluster in turn, a short probe
/// interval while they refuse connections, capped exponential backoff with jitter when a broker
/// was reached and failed), reopens its channels
/// (same numbers, same prefetch, confirm mode), redeclares the recorded topology, and resumes
/// consumers on their existing async sequences. Publishes awaiting a confirm at the moment of
/// loss fail with the retryable `.connectionLost`; calls made while recovering fail fast with
/// it too. Progress is reported on `events`.
///
/// As a `Service`, `run()` keeps the connection until graceful shutdown or cancellation and
/// then closes it cleanly.
public final class AMQPConnection: Service, Sendable {
    /// The configuration the connection was made with.
    public let configuration: Configuration
    /// Connection events: resource alarms, loss, recovery, closure.
    ///
    /// A single-consumer stream buffering the newest 256 events.
    public let events: AsyncStream<AMQPConnectionEvent>

    /// The one event loop of all this connection's sockets (reconnects included), state and
    /// callbacks.
    let eventLoop: any EventLoop
    let logger: Logger
    private let eventContinuation: AsyncStream<AMQPConnectionEvent>.Continuation
    private let state: NIOLoopBoundBox<State>
    /// Commands from the application's tasks, handed to the event loop in batches.
    private let outbox = CommandOutbox()
    /// Cuts the recovery loop's sleep short (`retryNow()`).
    private let wakeup = RecoveryWakeup()

    /// One TCP connection with a completed handshake.
    struct Link: Sendable {
        let channel: any Channel
        /// The connection's handler, called directly on the event loop by `submit`.
        let handler: NIOLoopBound<AMQPConnectionHandler>
        let generation: UInt64
        /// Index into `configuration.endpoints` of the broker this link talks to.
        let endpoint: Int
        let tuning: ConnectionStateMachine.Tuning
        let closed: EventLoopFuture<AMQPError?>
    }

    enum Phase {
        case connecting
        case connected(Link)
        case recovering
        case closed
    }

    struct State {
        var phase: Phase = .connecting
        var generation: UInt64 = 0
        var channels: [UInt16: AMQPChannel] = [:]
        var reservedChannelIDs: Set<UInt16> = []
        var nextChannelID: UInt16 = 1
        var topology = TopologyRecorder()
        var isBlocked = false
        var recoveryTask: Task<Void, Never>?
    }

    private init(configuration: Configuration, eventLoop: any EventLoop, logger: Logger) {
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.logger = logger
        (self.events, self.eventContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(256))
        self.state = .makeBoxSendingValue(State(), eventLoop: eventLoop)
    }

    // MARK: Connecting

    /// Connects to the broker at `url` (`amqp://user:pass@host:port/vhost`).
    ///
    /// Throws `AMQPError`: `.accessRefused` for wrong credentials, `.invalidPath`/`.notAllowed`
    /// for a missing or forbidden virtual host, `.connectionLost` when the broker is unreachable.
    public static func connect(
        to url: String,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "AMQP")
    ) async throws -> AMQPConnection {
        try await self.connect(configuration: Configuration(url: url), eventLoopGroup: eventLoopGroup, logger: logger)
    }

    /// Connects with an explicit configuration.
    public static func connect(
        configuration: Configuration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "AMQP")
    ) async throws -> AMQPConnection {
        let connection = AMQPConnection(configuration: configuration, eventLoop: eventLoopGroup.next(), logger: logger)
        // The first endpoint that answers; an endpoint that cannot be reached gives way to the
        // next, while a refusal by a broker (credentials, virtual host) holds for the whole cluster.
        var link: Link?
        var lastError: AMQPError?
        for endpoint in configuration.endpoints.indices {
            do {
                link = try await connection.makeLink(endpoint: endpoint)
                break
            } catch let failure as EndpointUnreachable {
                lastError = failure.error
            }
        }
        guard let link else { throw lastError! }
        try await connection.eventLoop.submit {
            connection.state.value.phase = .connected(link)
        }.get()
        connection.watch(link)
        return connection
    }

    /// An endpoint did not accept the TCP connection (refused, unreachable, timed out).
    private struct EndpointUnreachable: Error {
        let error: AMQPError
    }

    /// Opens a TCP connection to `configuration.endpoints[endpoint]` and runs the AMQP handshake.
    ///
    /// Throws `EndpointUnreachable` when the TCP connection fails, `AMQPError` otherwise.
    private func makeLink(endpoint: Int) async throws -> Link {
        let address = self.configuration.endpoints[endpoint]
        let generation = try await self.eventLoop.submit { () -> UInt64 in
            self.state.value.generation += 1
            return self.state.value.generation
        }.get()
        let established = self.eventLoop.makePromise(of: AMQPConnectionHandler.Established.self)
        let handlerPromise = self.eventLoop.makePromise(of: NIOLoopBound<AMQPConnectionHandler>.self)
        let closed = self.eventLoop.makePromise(of: Optional<AMQPError>.self)
        let parameters = self.configuration.parameters
        let callbacks = self.makeCallbacks()
        let logger = self.logger
        let bootstrap = ClientBootstrap(group: self.eventLoop)
            .connectTimeout(self.configuration.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = AMQPConnectionHandler(
                        parameters: parameters,
                        generation: generation,
                        eventLoop: channel.eventLoop,
                        callbacks: callbacks,
                        logger: logger
                    )
                    handler.establishedPromise.futureResult.cascade(to: established)
                    handler.closedPromise.futureResult.cascade(to: closed)
                    try channel.pipeline.syncOperations.addHandler(handler)
                    handlerPromise.succeed(NIOLoopBound(handler, eventLoop: channel.eventLoop))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: address.host, port: address.port).get()
        } catch {
            established.fail(error)
            handlerPromise.fail(error)
            closed.succeed(nil)
            throw EndpointUnreachable(
                error: AMQPError(
                    code: .connectionLost,
                    message: "cannot connect to \(address): \(error)",
                    closedConnection: true,
                    underlying: error
                ))
        }
        let timeout = self.eventLoop.scheduleTask(in: self.configuration.connectTimeout) {
            established.fail(AMQPError(code: .timeout, message: "AMQP handshake timed out", closedConnection: true))
            channel.close(promise: nil)
        }
        do {
            let result = try await established.futureResult.get()
            let handler = try await handlerPromise.futureResult.get()
            timeout.cancel()
            self.logger.debug(
                "AMQP connection established",
                metadata: ["frame_max": "\(result.tuning.frameMax)", "heartbeat": "\(result.tuning.heartbeat)"]
            )
            return Link(
                channel: channel, handler: handler, generation: generation, endpoint: endpoint, tuning: result.tuning,
                closed: closed.futureResult)
        } catch {
            timeout.cancel()
            channel.close(promise: nil)
            throw error
        }
    }

    private func makeCallbacks() -> AMQPConnectionHandler.Callbacks {
        AMQPConnectionHandler.Callbacks(
            blocked: { [weak self] reason in
                guard let self else { return }
                self.state.value.isBlocked = reason != nil
                self.eventContinuation.yield(reason.map { .blocked(reason: $0) } ?? .unblocked)
            },
            returned: { [weak self] id, message in
                self?.state.value.channels[id]?.returned(message)
            },
            channelClosed: { [weak self] id, error in
                guard let self, let channel = self.state.value.channels.removeValue(forKey: id) else { return }
                channel.closedByBroker(error)
            }
        )
    }

    /// Reacts when `link`'s socket closes: recover, or close for good.
    private func watch(_ link: Link) {
        link.closed.whenSuccess { error in
            guard case .connected(let current) = self.state.value.phase, current.generation == link.generation else {
                return
            }
            guard let error else {
                self.finishClosing()
                return
            }
            self.logger.warning("AMQP connection lost", metadata: ["error": "\(error)"])
            self.eventContinuation.yield(.connectionLost(reason: error.description))
            guard self.configuration.recovery.isEnabled else {
                self.failAllChannels(error)
                self.finishClosing()
                return
            }
            self.state.value.phase = .recovering
            self.wakeup.reset()
            self.state.value.recoveryTask = Task {
                await self.recover(after: error, lost: link.endpoint)
            }
        }
    }

    // MARK: Public API

    /// Whether the broker currently blocks publishing (a resource alarm is active).
    public var isBlocked: Bool {
        get async {
            (try? await self.eventLoop.submit { self.state.value.isBlocked }.get()) ?? false
        }
    }

    /// Whether the connection is up now (not connecting, recovering or closed).
    public var isConnected: Bool {
        get async {
            (try? await self.eventLoop.submit { () -> Bool in
                if case .connected = self.state.value.phase { return true }
                return false
            }.get()) ?? false
        }
    }

    /// The broker endpoint (`host:port`) of the current link, or nil while not connected.
    public var currentEndpoint: Configuration.Endpoint? {
        get async {
            (try? await self.eventLoop.submit { () -> Configuration.Endpoint? in
                guard case .connected(let link) = self.state.value.phase else { return nil }
                return self.configuration.endpoints[link.endpoint]
            }.get()) ?? nil
        }
    }

    /// While recovering, makes the next attempt now instead of after its backoff.
    ///
    /// For a sibling connection to the same broker that just recovered: the broker is back, so
    /// waiting out the backoff would only leave the application half-connected.
    public func retryNow() {
        self.eventLoop.execute {
            if case .recovering = self.state.value.phase {
                self.wakeup.nudge()
            }
        }
    }

    /// Opens a channel.
    ///
    /// Channels are cheap; use one per concurrent activity (a publisher, a consumer).
    public func openChannel() async throws -> AMQPChannel {
        let (channel, promise) = try await self.eventLoop.submit { () throws -> (AMQPChannel, EventLoopPromise<Void>) in
            guard case .connected(let link) = self.state.value.phase else {
                throw self.unavailableError()
            }
            let id = try self.allocateChannelID(maximum: link.tuning.channelMax)
            let channel = AMQPChannel(id: id, connection: self)
            self.state.value.channels[id] = channel
            let promise = self.eventLoop.makePromise(of: Void.self)
            HandlerCommand.openChannel(id, promise).send(to: link.channel)
            return (channel, promise)
        }.get()
        do {
            try await promise.futureResult.get()
            return channel
        } catch {
            self.eventLoop.execute {
                if self.state.value.channels[channel.id] === channel {
                    self.state.value.channels[channel.id] = nil
                }
            }
            throw error
        }
    }

    /// Closes the connection: every channel, then the socket, with the AMQP close handshake.
    ///
    /// Consumers' sequences end without error; pending calls fail with `.connectionClosed`.
    public func close() async throws {
        let (link, recovery) = try await self.eventLoop.submit { () -> (Link?, Task<Void, Never>?) in
            let recovery = self.state.value.recoveryTask
            self.state.value.recoveryTask = nil
            switch self.state.value.phase {
            case .connected(let link):
                self.state.value.phase = .closed
                return (link, recovery)
            case .connecting, .recovering:
                self.state.value.phase = .closed
                return (nil, recovery)
            case .closed:
                return (nil, recovery)
            }
        }.get()
        recovery?.cancel()
        await recovery?.value
        if let link {
            let promise = self.eventLoop.makePromise(of: Void.self)
            HandlerCommand.closeConnection(promise).send(to: link.channel)
            let timeout = self.eventLoop.scheduleTask(in: .seconds(5)) { link.channel.close(promise: nil) }
            try? await promise.futureResult.get()
            timeout.cancel()
            _ = try? await link.closed.get()
        }
        try await self.eventLoop.submit {
            self.failAllChannels(
                AMQPError(code: .connectionClosed, message: "the connection was closed by the application"), clean: true
            )
            self.finishClosing()
        }.get()
    }

    /// Runs until graceful shutdown or cancellation, then closes the connection.
    public func run() async throws {
        try? await gracefulShutdown()
        try await self.close()
    }

    // MARK: Internals used by channels

    /// Sends a command for `channel` over the current link.
    ///
    /// The command goes through `CommandOutbox`: commands submitted back to back (from any
    /// thread, the event loop included) reach the handler in one event-loop task, in order, and
    /// leave in one write and one flush. Fails the command when the channel is closed or the
    /// connection is recovering, so calls never hang on a dead socket.
    func submit(_ command: HandlerCommand, for channel: AMQPChannel) {
        if self.outbox.append(CommandOutbox.Entry(command: command, channel: channel)) {
            self.eventLoop.execute { self.drainOutbox() }
        }
    }

    /// Performs every submitted command on the current link. Event loop only.
    private func drainOutbox() {
        let entries = self.outbox.takeAll()
        guard !entries.isEmpty else { return }
        guard case .connected(let link) = self.state.value.phase else {
            let error = self.unavailableError()
            for entry in entries {
                entry.command.fail(entry.channel.closeReason ?? error)
            }
            return
        }
        var commands: [HandlerCommand] = []
        commands.reserveCapacity(entries.count)
        for entry in entries {
            if let error = entry.channel.closeReason {
                entry.command.fail(error)
            } else {
                commands.append(entry.command)
            }
        }
        link.handler.value.perform(commands)
    }

    /// Updates the recorded topology, on the event loop.
    func recordTopology(_ update: @escaping @Sendable (inout TopologyRecorder) -> Void) {
        self.eventLoop.execute { update(&self.state.value.topology) }
    }

    /// Forgets a channel the application closed.
    func channelClosed(_ channel: AMQPChannel) {
        self.eventLoop.preconditionInEventLoop()
        if self.state.value.channels[channel.id] === channel {
            self.state.value.channels[channel.id] = nil
        }
    }

    private func unavailableError() -> AMQPError {
        switch self.state.value.phase {
        case .recovering, .connecting:
            AMQPError(code: .connectionLost, message: "the connection is recovering; try again", closedConnection: true)
        case .closed, .connected:
            AMQPError(code: .connectionClosed, message: "the connection is closed", closedConnection: true)
        }
    }

    private func allocateChannelID(maximum: UInt16) throws -> UInt16 {
        let limit = maximum == 0 ? UInt16.max : maximum
        var candidate = self.state.value.nextChannelID
        for _ in 0..<Int(limit) {
            if candidate == 0 || candidate > limit { candidate = 1 }
            if self.state.value.channels[candidate] == nil, !self.state.value.reservedChannelIDs.contains(candidate) {
                self.state.value.nextChannelID = candidate &+ 1
                return candidate
            }
            candidate &+= 1
        }
        throw AMQPError(code: .resourceError, message: "all \(limit) channels are in use")
    }

    private func failAllChannels(_ error: AMQPError, clean: Bool = false) {
        let channels = self.state.value.channels.values
        self.state.value.channels.removeAll()
        for channel in channels {
            channel.connectionEnded(clean ? nil : error)
        }
    }

    private func finishClosing() {
        self.state.value.phase = .closed
        self.eventContinuation.yield(.closed)
        self.eventContinuation.finish()
    }

    // MARK: Recovery

    private func recover(after error: AMQPError, lost: Int) async {
        var schedule = RecoverySchedule(
            policy: self.configuration.recovery, endpointCount: self.configuration.endpoints.count, lost: lost)
        var attempt = 0
        var lastError = error
        while !Task.isCancelled, let next = schedule.next() {
            attempt = next.number
            if next.delay > .zero {
                await self.wakeup.sleep(for: next.delay)
            }
            if Task.isCancelled { break }
            do {
                let link: Link
                do {
                    link = try await self.makeLink(endpoint: next.endpoint)
                } catch let failure as EndpointUnreachable {
                    schedule.failed(.unreachable)
                    throw failure.error
                } catch {
                    schedule.failed(.reached)
                    throw error
                }
                do {
                    try await self.restore(on: link)
                } catch {
                    schedule.failed(.reached)
                    link.channel.close(promise: nil)
                    throw error
                }
                let stillWanted = try await self.eventLoop.submit { () -> Bool in
                    guard case .recovering = self.state.value.phase else { return false }
                    self.state.value.phase = .connected(link)
                    self.state.value.recoveryTask = nil
                    return true
                }.get()
                guard stillWanted else {
                    link.channel.close(promise: nil)
                    return
                }
                self.watch(link)
                self.logger.info(
                    "AMQP connection recovered",
                    metadata: ["attempt": "\(attempt)", "endpoint": "\(self.configuration.endpoints[next.endpoint])"])
                self.eventContinuation.yield(.recovered)
                return
            } catch {
                lastError = (error as? AMQPError) ?? AMQPError(code: .recoveryFailed, message: "\(error)")
                self.logger.info(
                    "AMQP recovery attempt failed", metadata: ["attempt": "\(attempt)", "error": "\(lastError)"])
                self.eventContinuation.yield(.recoveryAttemptFailed(attempt: attempt, reason: lastError.description))
            }
        }
        guard !Task.isCancelled else { return }
        let failure = AMQPError(
            code: .recoveryFailed,
            message: "gave up after \(attempt) attempts: \(lastError.message)",
            closedConnection: true,
            underlying: lastError
        )
        self.eventContinuation.yield(.recoveryFailed(reason: failure.description))
        try? await self.eventLoop.submit {
            self.state.value.recoveryTask = nil
            self.failAllChannels(failure)
            self.finishClosing()
        }.get()
    }

    /// Reopens channels, redeclares topology and resumes consumers on a fresh link.
    private func restore(on link: Link) async throws {
        let (channels, topology) = try await self.eventLoop.submit {
            (self.state.value.channels.values.sorted { $0.id < $1.id }, self.state.value.topology)
        }.get()

        // 1. Channels with their prefetch and confirm mode.
        for channel in channels {
            try await channel.reopen(on: link)
        }

        // 2. Topology, on a temporary channel so a failing redeclare cannot close an app channel.
        let topologyChannelID = try await self.eventLoop.submit { () throws -> UInt16 in
            let id = try self.allocateChannelID(maximum: link.tuning.channelMax)
            self.state.value.reservedChannelIDs.insert(id)
            return id
        }.get()
        defer {
            self.eventLoop.execute { self.state.value.reservedChannelIDs.remove(topologyChannelID) }
        }
        let opened = self.eventLoop.makePromise(of: Void.self)
        HandlerCommand.openChannel(topologyChannelID, opened).send(to: link.channel)
        try await opened.futureResult.get()
        func call(_ method: AMQPMethod) async throws -> ChannelResponse {
            let promise = self.eventLoop.makePromise(of: ChannelResponse.self)
            HandlerCommand.call(channel: topologyChannelID, method, promise).send(to: link.channel)
            return try await promise.futureResult.get()
        }
        for exchange in topology.exchanges {
            _ = try await call(
                .exchange(
                    .declare(
                        .init(
                            exchange: exchange.name,
                            type: exchange.type,
                            durable: exchange.durable,
                            autoDelete: exchange.autoDelete,
                            internal: exchange.internal,
                            arguments: exchange.arguments
                        )
                    )
                )
            )
        }
        var renames: [String: String] = [:]
        for queue in topology.queues {
            let response = try await call(
                .queue(
                    .declare(
                        .init(
                            queue: queue.serverNamed ? "" : queue.name,
                            durable: queue.durable,
                            exclusive: queue.exclusive,
                            autoDelete: queue.autoDelete,
                            arguments: queue.arguments
                        )
                    )
                )
            )
            if queue.serverNamed, case .queue(.declareOk(let ok)) = response.method, ok.queue != queue.name {
                renames[queue.name] = ok.queue
            }
        }
        for binding in topology.bindings {
            switch binding.destination {
            case .queue(let name):
                _ = try await call(
                    .queue(
                        .bind(
                            .init(
                                queue: renames[name] ?? name, exchange: binding.source, routingKey: binding.routingKey,
                                arguments: binding.arguments)))
                )
            case .exchange(let name):
                _ = try await call(
                    .exchange(
                        .bind(
                            .init(
                                destination: name, source: binding.source, routingKey: binding.routingKey,
                                arguments: binding.arguments)))
                )
            }
        }
        let closedTopologyChannel = self.eventLoop.makePromise(of: Void.self)
        HandlerCommand.closeChannel(topologyChannelID, closedTopologyChannel).send(to: link.channel)
        try await closedTopologyChannel.futureResult.get()
        if !renames.isEmpty {
            let finalRenames = renames
            try await self.eventLoop.submit {
                for (old, new) in finalRenames {
                    self.state.value.topology.rename(queue: old, to: new)
                }
            }.get()
            for (old, new) in renames.sorted(by: { $0.key < $1.key }) {
                self.logger.info(
                    "AMQP server-named queue renamed by recovery", metadata: ["from": "\(old)", "to": "\(new)"])
                self.eventContinuation.yield(.queueRenamed(from: old, to: new))
            }
        }

        // 3. Consumers, on their own channels, from the (possibly renamed) queues.
        for channel in channels {
            try await channel.resumeConsumers(on: link, renames: renames)
        }
    }
}
