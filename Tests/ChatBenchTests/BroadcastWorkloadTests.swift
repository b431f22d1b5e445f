import ChatBench
import ChatCore
import ChatServer
import Logging
import ServiceLifecycle
import Testing

/// The load generator against the real server: what it counts must add up exactly.
@Suite struct BroadcastWorkloadTests {
    // `.raw` speaks to a reference broadcast hub, not to the chat server (`scripts/bench compare`).
    @Test(arguments: [BenchConfiguration.Transport.websocket, .sockjs])
    func broadcastToTwentyClientsLosesAndDuplicatesNothing(transport: BenchConfiguration.Transport) async throws {
        try await withServer { port in
            var configuration = BenchConfiguration(workload: .broadcast)
            configuration.transport = transport
            configuration.path = transport == .sockjs ? "/sockjs" : "/ws"
            configuration.port = port
            configuration.clients = 20
            configuration.senders = 4
            configuration.rate = 10
            configuration.duration = 1
            configuration.connectTimeout = 30
            configuration.settleTimeout = 10
            configuration.drainTimeout = 20
            configuration.runID = "t1\(transport.rawValue.prefix(1))"
            let result = try await LoadGenerator(configuration: configuration, range: 0..<20).run()

            #expect(result.connected == 20)
            #expect(result.connectFailures == 0)
            #expect(result.counters.sent == 40)
            #expect(result.expected == 20 * 40)
            #expect(result.counters.deliveries == result.expected)
            #expect(result.counters.duplicates == 0)
            #expect(result.counters.errors == 0)
            #expect(result.counters.latency.total == result.expected)
        }
    }

    @Test func echoCompletesRoundTrips() async throws {
        try await withServer { port in
            var configuration = BenchConfiguration(workload: .echo)
            configuration.port = port
            configuration.clients = 5
            configuration.duration = 0.5
            configuration.runID = "t2"
            let result = try await LoadGenerator(configuration: configuration, range: 0..<5).run()

            #expect(result.connected == 5)
            #expect(result.counters.latency.total > 0)
            #expect(result.counters.duplicates == 0)
            #expect(result.counters.errors == 0)
        }
    }

    /// Runs a real server on a free loopback port for `body`.
    private func withServer(_ body: @Sendable (Int) async throws -> Void) async throws {
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.logLevel = .warning
        // Load, not abuse: echo clients send as fast as their messages come back (as scripts/bench
        // lifts these limits for its runs).
        configuration.inbound.connectionFramesPerSecond = 1_000_000
        configuration.inbound.connectionBurst = 1_000_000
        configuration.inbound.userFramesPerSecond = 1_000_000
        configuration.inbound.userBurst = 1_000_000
        let ports = AsyncStream<Int>.makeStream()
        let app = ChatApplication.build(
            configuration: configuration, onServerRunning: { port in ports.continuation.yield(port) })
        let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "bench-test-server")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var port = 0
            for await p in ports.stream {
                port = p
                break
            }
            do {
                try await body(port)
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}

@Suite struct SockJSFramingTests {
    @Test func arrayFramesAreSplitAndUnescaped() {
        let frame = #"a["{\"type\":\"message\",\"text\":\"1.2.3\"}","x\\y\u0041\ud83d\udc07\n","\ud800z"]"#
        var scratch: [UInt8] = []
        var messages: [String] = []
        let ok = Array(frame.utf8).withUnsafeBytes { bytes in
            SockJSFraming.forEachMessage(in: bytes, scratch: &scratch) {
                messages.append(String(decoding: $0, as: UTF8.self))
            }
        }
        #expect(ok)
        #expect(messages == [#"{"type":"message","text":"1.2.3"}"#, "x\\yA🐇\n", "\u{FFFD}z"])
    }

    @Test func malformedFramesAreReported() {
        var scratch: [UInt8] = []
        for frame in [#"a["unterminated"#, #"a[1]"#, #"a"#, #"a["bad \q escape"]"#] {
            let ok = Array(frame.utf8).withUnsafeBytes { bytes in
                SockJSFraming.forEachMessage(in: bytes, scratch: &scratch) { _ in }
            }
            #expect(!ok, "\(frame)")
        }
    }

    @Test func clientFramesEscapeQuotesAndControls() {
        #expect(SockJSFraming.clientFrame(#"{"a":"b\c"}"#) == #"["{\"a\":\"b\\c\"}"]"#)
        #expect(SockJSFraming.clientFrame("x\u{01}\n") == #"["x\u0001\n"]"#)
    }
}

@Suite struct LatencyHistogramTests {
    @Test func quantilesStayWithinBucketError() {
        var histogram = LatencyHistogram()
        for value in 1...100_000 { histogram.record(UInt64(value)) }
        let p50 = Double(histogram.value(at: 0.5))
        let p99 = Double(histogram.value(at: 0.99))
        #expect(abs(p50 - 50_000) / 50_000 < 0.02)
        #expect(abs(p99 - 99_000) / 99_000 < 0.02)
        #expect(histogram.value(at: 1) == 100_000)
    }
}
