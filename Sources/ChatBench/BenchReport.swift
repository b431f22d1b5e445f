import Foundation

/// The outcome of one load run: what was asked, what the machine was, what was measured.
package struct BenchReport: Sendable, Codable {
    package struct Machine: Sendable, Codable {
        package var cores: Int
        package var memoryMiB: Int
        package var descriptorSoftLimit: Int
        package var descriptorHardLimit: Int
        package var loadAverageBefore: String
        package var loadAverageAfter: String
        package var date: String
        package var build: String
    }

    package struct Latency: Sendable, Codable {
        package var count: UInt64
        package var p50: Double
        package var p95: Double
        package var p99: Double
        package var max: Double
        package var mean: Double

        init(_ histogram: LatencyHistogram) {
            count = histogram.total
            p50 = Double(histogram.value(at: 0.50)) / 1000
            p95 = Double(histogram.value(at: 0.95)) / 1000
            p99 = Double(histogram.value(at: 0.99)) / 1000
            max = Double(histogram.maxValue) / 1000
            mean = histogram.mean / 1000
        }
    }

    package struct Server: Sendable, Codable {
        package var pid: Int32
        package var rssBeforeKiB: Int
        package var rssConnectedKiB: Int
        package var rssAfterKiB: Int
        package var rssPeakKiB: Int
        /// (RSS connected - RSS before) / clients connected.
        package var rssPerConnectionKiB: Double
        package var cpuMeasuredSeconds: Double
        package var cpuMeasuredPercent: Double
    }

    package var configuration: BenchConfiguration
    package var machine: Machine
    package var processes: Int
    package var clientsPerProcessLimit: Int
    package var clients: Int
    package var connected: Int
    package var connectFailures: Int
    package var firstError: String?
    package var connectSeconds: Double
    /// Per client, TCP connect to `joined` (ms).
    package var connectLatencyMs: Latency
    package var settleSeconds: Double
    package var measuredSeconds: Double
    package var sent: UInt64
    package var acks: UInt64
    package var expected: UInt64
    package var received: UInt64
    package var lost: Int64
    package var duplicates: UInt64
    package var errors: UInt64
    package var presenceFrames: UInt64
    package var framesReceived: UInt64
    package var closedByServer: UInt64
    package var disconnects: UInt64
    /// Send to receipt (broadcast, rooms) or round trip (echo), ms.
    package var latencyMs: Latency
    package var deliveriesPerSecond: Double
    /// Echo: completed round trips per second.
    package var roundTripsPerSecond: Double?
    package var benchCPUMeasuredSeconds: Double
    /// Bench CPU over the send + drain wall time (100 % = one core).
    package var benchCPUMeasuredPercent: Double
    package var server: Server?
    /// Capacity criterion of the issue: p95 ≤ 500 ms, no loss, no duplicates, everyone connected.
    package var meetsCapacityCriterion: Bool

    /// JSON, keys sorted, for scripts.
    package func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// A human table.
    package func table() -> String {
        func f(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }
        var rows: [(String, String)] = [
            ("workload", configuration.workload.rawValue),
            (
                "machine",
                "\(machine.cores) cores, \(machine.memoryMiB) MiB, fd limit \(machine.descriptorSoftLimit)/\(machine.descriptorHardLimit), load \(machine.loadAverageBefore) -> \(machine.loadAverageAfter)"
            ),
            ("build / date", "\(machine.build), \(machine.date)"),
            ("processes", "\(processes) (at most \(clientsPerProcessLimit) clients each)"),
            ("clients", "\(connected)/\(clients) connected, \(connectFailures) failed"),
            (
                "connect",
                "\(f(connectSeconds, 2)) s total; per client p50 \(f(connectLatencyMs.p50)) ms, p99 \(f(connectLatencyMs.p99)) ms"
            ),
            ("settle", "\(f(settleSeconds, 2)) s (\(presenceFrames) presence frames)"),
        ]
        switch configuration.workload {
        case .broadcast, .rooms:
            rows += [
                (
                    "senders x rate",
                    "\(configuration.senders) x \(f(configuration.rate, 2))/s, \(configuration.messagesPerSender) each"
                        + (configuration.workload == .rooms ? ", rooms of \(configuration.roomSize)" : "")
                ),
                ("sent / acked", "\(sent) / \(acks)"),
                ("deliveries", "\(received) of \(expected) expected, lost \(lost), duplicates \(duplicates)"),
                (
                    "latency ms",
                    "p50 \(f(latencyMs.p50)) p95 \(f(latencyMs.p95)) p99 \(f(latencyMs.p99)) max \(f(latencyMs.max))"
                ),
                ("deliveries/s", f(deliveriesPerSecond, 0)),
            ]
        case .echo:
            rows += [
                ("round trips", "\(latencyMs.count) in \(f(configuration.duration)) s, window \(configuration.window)"),
                ("round trips/s", f(roundTripsPerSecond ?? 0, 0)),
                (
                    "round trip ms",
                    "p50 \(f(latencyMs.p50, 2)) p95 \(f(latencyMs.p95, 2)) p99 \(f(latencyMs.p99, 2)) max \(f(latencyMs.max, 2))"
                ),
            ]
        case .idle:
            break
        }
        rows += [
            (
                "errors / closes",
                "\(errors) error frames, \(closedByServer) closed by server, \(disconnects) dropped"
                    + (firstError.map { " (\($0))" } ?? "")
            ),
            (
                "bench CPU",
                "\(f(benchCPUMeasuredSeconds, 2)) s = \(f(benchCPUMeasuredPercent))% of a core while measuring"
            ),
        ]
        if let server {
            rows += [
                (
                    "server RSS",
                    "\(server.rssBeforeKiB / 1024) MiB before, \(server.rssConnectedKiB / 1024) MiB connected, peak \(server.rssPeakKiB / 1024) MiB"
                ),
                ("RSS/connection", "\(f(server.rssPerConnectionKiB, 2)) KiB"),
                (
                    "server CPU",
                    "\(f(server.cpuMeasuredSeconds, 2)) s = \(f(server.cpuMeasuredPercent))% of a core while measuring"
                ),
            ]
        }
        rows.append(("capacity criterion", meetsCapacityCriterion ? "met (p95 <= 500 ms, no loss)" : "NOT met"))
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
            .joined(separator: "\n")
    }
}
