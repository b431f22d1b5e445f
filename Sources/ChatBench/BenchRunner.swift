import Foundation
import Glibc
import Synchronization

/// Runs a whole load run: in this process when the descriptor limit allows, else split over
/// child `rabbitchat bench` processes that connect, report ready, send on `GO` and report back.
package enum BenchRunner {
    /// Descriptors kept free for everything that is not a client socket.
    package static let descriptorReserve = 64

    /// Runs `configuration` and reports.
    ///
    /// - Parameters:
    ///   - configuration: the run.
    ///   - build: how this binary was built ("release" or "debug"), for the report.
    ///   - childArguments: the command line (after the executable) that runs one child process
    ///     for a slice of the clients.
    package static func run(
        _ configuration: BenchConfiguration,
        build: String,
        childArguments: @Sendable (BenchConfiguration, Range<Int>) -> [String]
    ) async throws -> BenchReport {
        guard ["127.0.0.1", "localhost", "::1"].contains(configuration.host) else {
            throw BenchError("the bench only targets loopback (127.0.0.1), not \(configuration.host)")
        }
        let limits = ProcessStats.raiseDescriptorLimit()
        let perProcess = limits.soft - descriptorReserve - ProcessStats.openDescriptors()
        guard perProcess > 0 else { throw BenchError("descriptor limit \(limits.soft) leaves no room for clients") }
        let processes = configuration.processes ?? (configuration.clients + perProcess - 1) / perProcess
        guard processes >= 1, (configuration.clients + processes - 1) / processes <= perProcess else {
            throw BenchError(
                "\(configuration.clients) clients over \(processes) process(es) exceeds \(perProcess) per process "
                    + "(descriptor limit \(limits.soft), hard \(limits.hard)); use more --processes")
        }
        let portsPerAddress = ephemeralPortCount()
        guard configuration.clients <= portsPerAddress * max(1, configuration.sourceAddresses) else {
            throw BenchError(
                "\(configuration.clients) clients need more than \(configuration.sourceAddresses) source addresses "
                    + "of \(portsPerAddress) ports; raise --source-addresses")
        }

        let loadBefore = ProcessStats.loadAverage()
        let pid = configuration.serverPID
        let rssBefore = pid.flatMap { ProcessStats.residentKiB(pid: $0) }
        let sampler = ServerSampler(pid: pid)

        let results: [LoadGenerator.Result]
        if processes == 1 {
            let generator = LoadGenerator(configuration: configuration, range: 0..<configuration.clients)
            results = [try await generator.run(coordination: .init(ready: { sampler.connected() }))]
        } else {
            results = try await runChildren(
                configuration, processes: processes, sampler: sampler, childArguments: childArguments)
        }
        sampler.done()

        var merged = LoadGenerator.Result()
        var benchCPU = 0.0
        for result in results {
            merged.clients += result.clients
            merged.connected += result.connected
            merged.connectFailures += result.connectFailures
            merged.firstConnectError = merged.firstConnectError ?? result.firstConnectError
            merged.connectSeconds = max(merged.connectSeconds, result.connectSeconds)
            merged.connectLatency.merge(result.connectLatency)
            merged.settleSeconds = max(merged.settleSeconds, result.settleSeconds)
            merged.measuredSeconds = max(merged.measuredSeconds, result.measuredSeconds)
            merged.expected += result.expected
            merged.counters.merge(result.counters)
            benchCPU += result.cpuMeasured
        }
        let counters = merged.counters
        let lost = Int64(merged.expected) - Int64(counters.deliveries)
        let latency = BenchReport.Latency(counters.latency)
        let measured = max(merged.measuredSeconds, 0.001)

        var server: BenchReport.Server?
        if let pid, let rssBefore {
            let after = ProcessStats.residentKiB(pid: pid) ?? (0, 0)
            let connectedRSS = sampler.rssConnected ?? after.rss
            let cpu = sampler.cpuMeasured ?? 0
            server = BenchReport.Server(
                pid: pid, rssBeforeKiB: rssBefore.rss, rssConnectedKiB: connectedRSS, rssAfterKiB: after.rss,
                rssPeakKiB: after.peak,
                rssPerConnectionKiB: merged.connected == 0
                    ? 0 : Double(connectedRSS - rssBefore.rss) / Double(merged.connected),
                cpuMeasuredSeconds: cpu, cpuMeasuredPercent: cpu / measured * 100)
        }
        let streaming = configuration.workload == .broadcast || configuration.workload == .rooms
        return BenchReport(
            configuration: configuration,
            machine: .init(
                cores: sysconf(Int32(_SC_NPROCESSORS_ONLN)),
                memoryMiB: sysconf(Int32(_SC_PHYS_PAGES)) / 1024 * sysconf(Int32(_SC_PAGESIZE)) / 1024,
                descriptorSoftLimit: limits.soft, descriptorHardLimit: limits.hard,
                loadAverageBefore: loadBefore, loadAverageAfter: ProcessStats.loadAverage(),
                date: ISO8601DateFormatter().string(from: Date()), build: build),
            processes: processes, clientsPerProcessLimit: perProcess,
            clients: configuration.clients, connected: merged.connected, connectFailures: merged.connectFailures,
            firstError: merged.firstConnectError ?? counters.firstError,
            connectSeconds: merged.connectSeconds, connectLatencyMs: .init(merged.connectLatency),
            settleSeconds: merged.settleSeconds, measuredSeconds: merged.measuredSeconds,
            sent: counters.sent, acks: counters.acks, expected: merged.expected, received: counters.deliveries,
            lost: lost, duplicates: counters.duplicates, errors: counters.errors,
            presenceFrames: counters.presence, framesReceived: counters.framesReceived,
            closedByServer: counters.closedByServer, disconnects: counters.disconnects,
            latencyMs: latency,
            deliveriesPerSecond: Double(counters.deliveries) / measured,
            roundTripsPerSecond: configuration.workload == .echo
                ? Double(counters.latency.total) / max(configuration.duration, 0.001) : nil,
            benchCPUMeasuredSeconds: benchCPU, benchCPUMeasuredPercent: benchCPU / measured * 100,
            server: server,
            meetsCapacityCriterion: streaming && merged.connectFailures == 0 && lost == 0
                && counters.duplicates == 0 && latency.count > 0 && latency.p95 <= 500)
    }

    /// One child's part: connect, print `READY`, wait for `GO` on stdin, run, print the result.
    package static func runChild(_ configuration: BenchConfiguration, range: Range<Int>) async throws {
        _ = ProcessStats.raiseDescriptorLimit()
        let generator = LoadGenerator(configuration: configuration, range: range)
        let result = try await generator.run(
            coordination: .init(ready: {
                FileHandle.standardOutput.write(Data("READY\n".utf8))
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    Thread.detachNewThread {
                        while let line = readLine(), line != "GO" {}
                        continuation.resume()
                    }
                }
            }))
        let data = try JSONEncoder().encode(result)
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    private static func runChildren(
        _ configuration: BenchConfiguration, processes: Int, sampler: ServerSampler,
        childArguments: @Sendable (BenchConfiguration, Range<Int>) -> [String]
    ) async throws -> [LoadGenerator.Result] {
        let share = (configuration.clients + processes - 1) / processes
        var children: [(Process, Pipe, AsyncStream<String>)] = []
        for p in 0..<processes {
            let range = (p * share)..<min(configuration.clients, (p + 1) * share)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
            process.arguments = childArguments(configuration, range)
            let input = Pipe()
            let output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            let (lines, continuation) = AsyncStream<String>.makeStream()
            let handle = output.fileHandleForReading
            Thread.detachNewThread {
                var pending = Data()
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    pending.append(chunk)
                    while let newline = pending.firstIndex(of: 0x0A) {
                        continuation.yield(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                        pending = Data(pending[(newline + 1)...])
                    }
                }
                continuation.finish()
            }
            try process.run()
            children.append((process, input, lines))
        }
        defer { for (process, _, _) in children where process.isRunning { process.terminate() } }

        var iterators = children.map { $0.2.makeAsyncIterator() }
        for i in iterators.indices {
            while let line = await iterators[i].next() {
                if line == "READY" { break }
            }
        }
        sampler.connected()
        for (_, input, _) in children { input.fileHandleForWriting.write(Data("GO\n".utf8)) }
        var results: [LoadGenerator.Result] = []
        for i in iterators.indices {
            var result: LoadGenerator.Result?
            while let line = await iterators[i].next() {
                if let decoded = try? JSONDecoder().decode(LoadGenerator.Result.self, from: Data(line.utf8)) {
                    result = decoded
                    break
                }
            }
            guard let result else { throw BenchError("bench child \(i) ended without a result") }
            results.append(result)
        }
        for (process, _, _) in children { process.waitUntilExit() }
        return results
    }

    /// Ports per source address, from /proc/sys/net/ipv4/ip_local_port_range.
    private static func ephemeralPortCount() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)
        else { return 28_000 }
        let bounds = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
        return bounds.count == 2 ? bounds[1] - bounds[0] + 1 : 28_000
    }
}

/// Samples the server's RSS and CPU when the clients are connected and when the run is done.
final class ServerSampler: Sendable {
    private struct State {
        var rssConnected: Int?
        var cpuAtConnected: Double?
        var cpuMeasured: Double?
    }

    private let pid: Int32?
    private let state = Mutex(State())

    init(pid: Int32?) { self.pid = pid }

    func connected() {
        guard let pid else { return }
        let rss = ProcessStats.residentKiB(pid: pid)?.rss
        let cpu = ProcessStats.cpuSeconds(pid: pid)
        state.withLock {
            $0.rssConnected = rss
            $0.cpuAtConnected = cpu
        }
    }

    func done() {
        guard let pid, let cpu = ProcessStats.cpuSeconds(pid: pid) else { return }
        state.withLock { state in state.cpuMeasured = state.cpuAtConnected.map { cpu - $0 } }
    }

    var rssConnected: Int? { state.withLock { $0.rssConnected } }
    var cpuMeasured: Double? { state.withLock { $0.cpuMeasured } }
}
