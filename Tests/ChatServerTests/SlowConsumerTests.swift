import Foundation
import TestSupport
import Testing

/// 1,000 clients that never read, against a live `rabbitchat serve` process: its memory stays
/// bounded, a normal client still gets every message, and the stalled ones are closed with 1013
/// and counted in `/metrics`.
@Suite(
    "Slow consumers", .tags(.slowConsumer), .ownPhase, .requires(.rabbitchat), .serialized, .timeLimit(.minutes(8))
)
struct SlowConsumerTests {
    static let stalledCount = 1_000
    static let outboxMaxBytes = 256 * 1024

    /// Longer than the suite's time limit.
    static let livenessSeconds = 900

    @Test("1,000 never-reading clients: bounded memory, a prompt normal reader, 1013 and counted")
    func thousandStalledClients() async throws {
        // The WebSocket keepalive (a ping every 30 s, 1001 when one is still unanswered at the
        // next) and the idle timeout (4002 after 300 s without a frame) also close clients that
        // never read or send, rightly, and the keepalive comes first: joining 1,000 clients takes
        // over a minute on a loaded 2-core machine (each join is presence to every member). Both
        // are pushed past the test's end, so every stalled client meets the outbox bound.
        let server = try await ServerProcess.start(
            nodeID: "slow",
            arguments: [
                "--database-url", "memory:", "--max-connections-per-ip", "5000",
                "--outbox-max-frames", "256", "--outbox-max-bytes", "\(Self.outboxMaxBytes)",
                "--rate-limit", "1000000", "--rate-limit-burst", "1000000",
                "--user-rate-limit", "1000000", "--user-rate-limit-burst", "1000000",
                "--websocket-ping-interval", "\(Self.livenessSeconds)", "--idle-timeout", "\(Self.livenessSeconds)",
            ])
        defer { server.kill() }

        let reader = try await TestChatClient.connect(port: server.port, name: "reader")
        try await reader.hello("reader")
        try await reader.join("lobby")
        let sender = try await TestChatClient.connect(port: server.port, name: "sender")
        try await sender.hello("sender")
        try await sender.join("lobby")
        let baseline = try #require(server.residentKiB)

        var stalled = try await StalledWebSocket.open(count: Self.stalledCount, port: server.port) { index in
            [#"{"type":"hello","nick":"stalled\#(index)"}"#, #"{"type":"join","room":"lobby"}"#]
        }
        // Wait (bounded) until every stalled client's join went through, on the server's roster:
        // presence is ephemeral (count-only above `presenceDetailLimit`), so a frame carrying
        // the final count is not something a client can rely on.
        var online = 0
        let joinDeadline = ContinuousClock.now + .seconds(240)
        while online < Self.stalledCount + 2, ContinuousClock.now < joinDeadline {
            let rooms = try await HTTP.get(port: server.port, path: "/api/rooms").json as? [[String: Any]] ?? []
            online = rooms.first { $0["name"] as? String == "lobby" }?["online"] as? Int ?? 0
            if online < Self.stalledCount + 2 { try await Task.sleep(for: .milliseconds(250)) }
        }
        try #require(online == Self.stalledCount + 2, "\(online) of \(Self.stalledCount + 2) in the room")
        // 600 messages of ~1 KiB: each stalled outbox (256 frames / 256 KiB) overflows. They
        // overflow only if the kernel holds little for a stalled socket: the server's 64 KiB
        // send buffer; left to autotuning, each stalled socket took up to 4 MiB of kernel memory
        // (no RSS shows it) and not one outbox overflowed.
        let text = String(repeating: "x", count: 1_000)
        var peak = baseline
        for index in 0..<600 {
            try await sender.send(["type": "send", "room": "lobby", "text": "\(index) \(text)", "cid": "m\(index)"])
            // The normal reader gets each message, each within a generous bounded deadline.
            while true {
                let frame = try await reader.expect(
                    "message", skipping: ["presence", "typing", "receipt"], timeout: .seconds(30))
                if frame.string("text")?.hasPrefix("\(index) ") == true { break }
            }
            if index % 50 == 0 { peak = max(peak, server.residentKiB ?? 0) }
        }
        peak = max(peak, server.residentKiB ?? 0)
        // Bound: every stalled outbox full at once, plus per-connection overhead (~100 KiB:
        // NIO buffers, the 64 KiB of a stuck write), plus slack.
        let boundKiB = baseline + Self.stalledCount * (Self.outboxMaxBytes / 1024 + 100) + 128 * 1024
        #expect(peak <= boundKiB, "peak RSS \(peak) KiB, bound \(boundKiB) KiB (baseline \(baseline) KiB)")

        // Every stalled client was closed with 1013 and counted; polled with a deadline since
        // the drop of a stuck connection waits out the close grace period.
        var dropped = 0.0
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let metrics = try await HTTP.get(port: server.port, path: "/metrics").body
            dropped = ObservabilityTests.value(of: "rabbitchat_slow_consumers_dropped_total", in: metrics) ?? 0
            let open =
                ObservabilityTests.value(of: #"rabbitchat_connections{transport="websocket"}"#, in: metrics) ?? -1
            if dropped >= Double(Self.stalledCount), open == 2 { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(dropped == Double(Self.stalledCount))
        let metrics = try await HTTP.get(port: server.port, path: "/metrics").body
        #expect(
            ObservabilityTests.value(of: #"rabbitchat_connections{transport="websocket"}"#, in: metrics) == 2,
            "only the reader and the sender are still connected")
        // Memory after the drop: no higher than the bound (allocators keep freed pages).
        #expect((server.residentKiB ?? .max) <= boundKiB)
        // The normal clients still work.
        try await sender.send(["type": "send", "room": "lobby", "text": "after", "cid": "after"])
        while try await reader.expect("message", timeout: .seconds(30)).string("text") != "after" {}
        stalled.removeAll()
        await reader.close()
        await sender.close()
        #expect(await server.terminate() == 0)
    }
}
