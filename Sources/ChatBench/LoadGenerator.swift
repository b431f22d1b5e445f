import NIOCore
import NIOPosix

/// Runs one process's share of a load run: connect its clients, wait for quiet, send, drain.
///
/// Each event loop owns its clients and a `LoopStats`; the generator only hops to a loop to
/// start senders and to read counters. A parent process that splits a run over children drives
/// the same phases through `Coordination` (ready, then go).
package struct LoadGenerator: Sendable {
    /// Hooks between the phases, so a parent process can line several generators up.
    package struct Coordination: Sendable {
        /// Called once this process's clients are connected and quiet; returns when to send.
        package var ready: @Sendable () async -> Void
        package init(ready: @escaping @Sendable () async -> Void) { self.ready = ready }
        package static let none = Coordination(ready: {})
    }

    /// What one process measured.
    package struct Result: Sendable, Codable {
        package var clients = 0
        package var connected = 0
        package var connectFailures = 0
        package var firstConnectError: String?
        package var connectSeconds = 0.0
        /// Per client, from starting the TCP connect to `joined` (µs).
        package var connectLatency = LatencyHistogram()
        package var settleSeconds = 0.0
        package var measuredSeconds = 0.0
        package var sendSeconds = 0.0
        package var drainSeconds = 0.0
        package var expected: UInt64 = 0
        package var counters = LoopSnapshot()
        /// This process's CPU seconds during send + drain, and over the whole run.
        package var cpuMeasured = 0.0
        package var cpuTotal = 0.0
    }

    let configuration: BenchConfiguration
    /// The global client indices this process runs.
    let range: Range<Int>

    package init(configuration: BenchConfiguration, range: Range<Int>) {
        self.configuration = configuration
        self.range = range
    }

    package func run(coordination: Coordination = .none) async throws -> Result {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.threads))
        do {
            let result = try await run(on: group, coordination: coordination)
            try? await group.shutdownGracefully()
            return result
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    private func run(on group: MultiThreadedEventLoopGroup, coordination: Coordination) async throws -> Result {
        let loops = Array(group.makeIterator())
        let stats = loops.map { _ in LoopStats() }
        let cpuStart = ProcessStats.ownCPUSeconds()
        var result = Result()
        result.clients = range.count

        // Connect, a bounded number of handshakes at a time.
        let connectStart = MonotonicClock.nanos()
        let connectDeadline = connectStart + UInt64(configuration.connectTimeout * 1e9)
        var channels: [any Channel] = []
        channels.reserveCapacity(range.count)
        await withTaskGroup(of: (Int, Swift.Result<any Channel, any Error>, UInt64).self) { tasks in
            var next = range.lowerBound
            var inFlight = 0
            func launch(_ index: Int) {
                let loopIndex = index % loops.count
                let loop = loops[loopIndex]
                let loopStats = stats[loopIndex]
                tasks.addTask {
                    let started = MonotonicClock.nanos()
                    do {
                        let channel = try await connect(index: index, loop: loop, stats: loopStats)
                        return (index, .success(channel), MonotonicClock.nanos() - started)
                    } catch {
                        return (index, .failure(error), MonotonicClock.nanos() - started)
                    }
                }
            }
            while next < range.upperBound, inFlight < configuration.connectConcurrency {
                launch(next)
                next += 1
                inFlight += 1
            }
            while let (_, outcome, elapsed) = await tasks.next() {
                inFlight -= 1
                switch outcome {
                case .success(let channel):
                    channels.append(channel)
                    result.connectLatency.record(elapsed / 1_000)
                case .failure(let error):
                    result.connectFailures += 1
                    if result.firstConnectError == nil { result.firstConnectError = "\(error)" }
                }
                if next < range.upperBound {
                    if MonotonicClock.nanos() > connectDeadline {
                        result.connectFailures += range.upperBound - next
                        result.firstConnectError = result.firstConnectError ?? "connect timeout"
                        next = range.upperBound
                    } else {
                        launch(next)
                        next += 1
                        inFlight += 1
                    }
                }
            }
        }
        result.connected = channels.count
        result.connectSeconds = Double(MonotonicClock.nanos() - connectStart) / 1e9

        // Wait until the server stops sending (presence of everyone who joined), within bounds.
        let settleStart = MonotonicClock.nanos()
        try await settle(loops: loops, stats: stats, timeout: configuration.settleTimeout)
        result.settleSeconds = Double(MonotonicClock.nanos() - settleStart) / 1e9

        await coordination.ready()

        // Send.
        let measureStart = MonotonicClock.nanos()
        let cpuMeasureStart = ProcessStats.ownCPUSeconds()
        try await startSending(loops: loops, stats: stats)
        let sendWindow: Double =
            switch configuration.workload {
            case .echo, .idle: configuration.duration
            case .broadcast, .rooms:
                (Double(configuration.messagesPerSender) - 1) / max(configuration.rate, 0.001) + 0.2
            }
        try await Task.sleep(nanoseconds: UInt64(max(0, sendWindow) * 1e9))
        result.sendSeconds = Double(MonotonicClock.nanos() - measureStart) / 1e9

        // Drain: until every expected delivery arrived, or the deadline.
        result.expected = range.reduce(0) { $0 + UInt64(configuration.expectedDeliveries(of: $1)) }
        let drainStart = MonotonicClock.nanos()
        let drainDeadline = drainStart + UInt64(configuration.drainTimeout * 1e9)
        var counters = try await snapshot(loops: loops, stats: stats)
        while MonotonicClock.nanos() < drainDeadline {
            if configuration.workload == .echo || configuration.workload == .idle {
                try await Task.sleep(nanoseconds: 300_000_000)  // in-flight echoes come back
                counters = try await snapshot(loops: loops, stats: stats)
                break
            }
            if counters.deliveries + counters.duplicates >= result.expected { break }
            try await Task.sleep(nanoseconds: 20_000_000)
            counters = try await snapshot(loops: loops, stats: stats)
        }
        result.drainSeconds = Double(MonotonicClock.nanos() - drainStart) / 1e9
        result.measuredSeconds = Double(MonotonicClock.nanos() - measureStart) / 1e9
        result.cpuMeasured = ProcessStats.ownCPUSeconds() - cpuMeasureStart
        result.counters = counters

        for channel in channels { channel.close(promise: nil) }
        for loop in loops { try? await loop.submit {}.get() }
        result.cpuTotal = ProcessStats.ownCPUSeconds() - cpuStart
        return result
    }

    private func connect(index: Int, loop: any EventLoop, stats: LoopStats) async throws -> any Channel {
        let configuration = self.configuration
        let ready = loop.makePromise(of: Void.self)
        let source = try SocketAddress(
            ipAddress: "127.0.0.\(2 + index % max(1, min(configuration.sourceAddresses, 250)))", port: 0)
        let isEcho = configuration.workload == .echo
        let isSender = configuration.isSender(index)
        let channel = try await ClientBootstrap(group: loop)
            .bind(to: source)
            .connectTimeout(.seconds(10))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let client = BenchClientHandler(
                        index: index, nick: configuration.nick(of: index), room: configuration.room(of: index),
                        isEcho: isEcho, sockJS: configuration.transport == .sockjs,
                        raw: configuration.transport == .raw, stats: stats, ready: ready)
                    if isSender || isEcho { stats.senders.append(client) }
                    try channel.pipeline.syncOperations.addHandler(
                        WebSocketHandshakeHandler(
                            host: configuration.host, port: configuration.port, path: configuration.path(of: index),
                            client: client))
                }
            }
            .connect(host: configuration.host, port: configuration.port)
            .get()
        do {
            try await ready.futureResult.get()
        } catch {
            channel.close(promise: nil)
            throw error
        }
        return channel
    }

    private func settle(loops: [any EventLoop], stats: [LoopStats], timeout: Double) async throws {
        let deadline = MonotonicClock.nanos() + UInt64(timeout * 1e9)
        var last = try await snapshot(loops: loops, stats: stats).framesReceived
        var quietSince = MonotonicClock.nanos()
        while MonotonicClock.nanos() < deadline {
            try await Task.sleep(nanoseconds: 100_000_000)
            let now = try await snapshot(loops: loops, stats: stats).framesReceived
            if now != last {
                last = now
                quietSince = MonotonicClock.nanos()
            } else if MonotonicClock.nanos() - quietSince >= 500_000_000 {
                return
            }
        }
    }

    private func startSending(loops: [any EventLoop], stats: [LoopStats]) async throws {
        let configuration = self.configuration
        let startNanos = NIODeadline.now() + .milliseconds(50)
        let interval = TimeAmount.nanoseconds(Int64(1e9 / max(configuration.rate, 0.001)))
        let echoDeadline = MonotonicClock.nanos() + UInt64(configuration.duration * 1e9)
        for (loop, loopStats) in zip(loops, stats) {
            try await loop.submit {
                for client in loopStats.senders {
                    switch configuration.workload {
                    case .echo:
                        client.startEcho(window: max(1, configuration.window), deadline: echoDeadline)
                    case .broadcast, .rooms:
                        // Spread senders evenly over one interval (golden-ratio offsets).
                        let fraction = (Double(client.senderIndex) * 0.618_033_988_75).truncatingRemainder(
                            dividingBy: 1)
                        let offset = TimeAmount.nanoseconds(Int64(Double(interval.nanoseconds) * fraction))
                        client.startSending(
                            start: startNanos + offset, interval: interval, count: configuration.messagesPerSender)
                    case .idle:
                        break
                    }
                }
            }.get()
        }
    }

    private func snapshot(loops: [any EventLoop], stats: [LoopStats]) async throws -> LoopSnapshot {
        var total = LoopSnapshot()
        for (loop, loopStats) in zip(loops, stats) {
            total.merge(try await loop.submit { loopStats.snapshot() }.get())
        }
        return total
    }
}
