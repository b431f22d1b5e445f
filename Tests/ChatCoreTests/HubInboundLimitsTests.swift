import ChatCore
import Foundation
import Logging
import NIOCore
import Synchronization
import Testing

/// The hub's rate limits and timeouts with a manual clock: deterministic, no sleeping on time.
@Suite("Hub inbound limits", .timeLimit(.minutes(1)))
struct HubInboundLimitsTests {
    /// A monotonic clock that moves only when the test says so.
    final class ManualClock: Sendable {
        private let millis = Mutex<Int64>(1_000_000)
        func now() -> Int64 { millis.withLock { $0 } }
        func advance(millis delta: Int64) { millis.withLock { $0 += delta } }
    }

    static func makeHub(_ inbound: InboundLimits, clock: ManualClock) -> Hub {
        Hub(
            configuration: .init(nodeID: "limits", inbound: inbound, clock: { clock.now() }),
            store: InMemoryMessageStore(), broker: InProcessExchange().makeBroker(), logger: Logger(label: "hub-test"))
    }

    /// Every item the outbox yields until it closes or stays quiet for `quiet`, as frame types
    /// and close codes.
    static func drain(_ outbox: SessionOutbox, quiet: Duration = .milliseconds(200)) async -> [String] {
        var seen: [String] = []
        while true {
            let item = await withTaskGroup(of: SessionOutbox.Item?.self) { group in
                group.addTask { await outbox.next() }
                group.addTask {
                    try? await Task.sleep(for: quiet)
                    return nil
                }
                let first = await group.next()!
                group.cancelAll()
                if first == nil { outbox.close(.normal, reason: "test drained") }
                return first
            }
            switch item {
            case .frames(let frames)?:
                for frame in frames {
                    let json =
                        try? JSONSerialization.jsonObject(with: Data(String(buffer: frame).utf8)) as? [String: Any]
                    let type = json?["type"] as? String ?? "?"
                    seen.append(type == "error" ? "error:\(json?["code"] as? String ?? "?")" : type)
                }
            case .close(let code, _)?:
                if code != .normal { seen.append("close:\(code.rawValue)") }
                return seen
            case nil:
                return seen
            }
        }
    }

    @Test("a connection gets its burst, then rate_limited, then tokens at the refill rate, then 1008 for flooding")
    func connectionBucket() async throws {
        let clock = ManualClock()
        let hub = Self.makeHub(
            InboundLimits(connectionFramesPerSecond: 2, connectionBurst: 3, refusalsBeforeClose: 2), clock: clock)
        let (id, outbox) = await hub.connect()
        let ping = Array(#"{"type":"ping"}"#.utf8)
        for _ in 0..<4 { await hub.receive(ping, from: id) }
        clock.advance(millis: 500)  // one token
        await hub.receive(ping, from: id)
        // The refusal allowance (2, plus half a token after 500 ms) was charged once; two more
        // refusals exhaust it.
        await hub.receive(ping, from: id)
        await hub.receive(ping, from: id)
        await hub.receive(ping, from: id)  // ignored: the connection is closing
        let seen = await Self.drain(outbox)
        #expect(
            seen == [
                "pong", "pong", "pong", "error:rate_limited", "pong", "error:rate_limited", "close:1008",
            ])
    }

    @Test("a user's frames share one bucket, separate from the connection's")
    func userBucket() async throws {
        let clock = ManualClock()
        let hub = Self.makeHub(
            InboundLimits(connectionFramesPerSecond: 100, connectionBurst: 100, userFramesPerSecond: 1, userBurst: 2),
            clock: clock)
        let (id, outbox) = await hub.connect()
        await hub.receive(Array(#"{"type":"hello","nick":"fast"}"#.utf8), from: id)
        let ping = Array(#"{"type":"ping"}"#.utf8)
        for _ in 0..<3 { await hub.receive(ping, from: id) }
        clock.advance(millis: 1_000)
        await hub.receive(ping, from: id)
        let seen = await Self.drain(outbox)
        #expect(seen == ["welcome", "pong", "pong", "error:rate_limited", "pong"])
    }

    @Test("a rate-limited send is refused with its cid, so the client knows which message to resend")
    func refusalCarriesCid() async throws {
        let clock = ManualClock()
        let hub = Self.makeHub(InboundLimits(connectionFramesPerSecond: 1, connectionBurst: 3), clock: clock)
        let (id, outbox) = await hub.connect()
        await hub.receive(Array(#"{"type":"hello","nick":"quick"}"#.utf8), from: id)
        await hub.receive(Array(#"{"type":"join","room":"lobby"}"#.utf8), from: id)
        await hub.receive(Array(#"{"type":"send","room":"lobby","text":"one","cid":"c1"}"#.utf8), from: id)
        await hub.receive(Array(#"{"type":"send","room":"lobby","text":"two","cid":"c2"}"#.utf8), from: id)
        var refusal: [String: Any]?
        while refusal == nil, case .frames(let frames)? = await outbox.next() {
            for frame in frames {
                let json = try JSONSerialization.jsonObject(with: Data(String(buffer: frame).utf8)) as? [String: Any]
                if json?["code"] as? String == "rate_limited" { refusal = json }
            }
        }
        #expect(refusal?["cid"] as? String == "c2")
        #expect(refusal?["ref"] as? String == "send")
    }

    @Test("binary frames count against the rate limit too")
    func binaryCounts() async throws {
        let clock = ManualClock()
        let hub = Self.makeHub(InboundLimits(connectionFramesPerSecond: 1, connectionBurst: 1), clock: clock)
        let (id, outbox) = await hub.connect()
        await hub.refuseBinary(from: id)
        await hub.refuseBinary(from: id)
        let seen = await Self.drain(outbox)
        #expect(seen == ["error:unsupported_frame", "error:rate_limited"])
    }

    @Test("no hello in time closes 4001; silence after hello closes 4002")
    func timeouts() async throws {
        let clock = ManualClock()
        let hub = Self.makeHub(InboundLimits(helloTimeout: .seconds(5), idleTimeout: .seconds(60)), clock: clock)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await hub.run() }
            let (_, silentOutbox) = await hub.connect()
            let (talker, talkerOutbox) = await hub.connect()
            await hub.receive(Array(#"{"type":"hello","nick":"talker"}"#.utf8), from: talker)
            clock.advance(millis: 5_000)
            // The sweep runs every 500 ms of real time: wait for the close, bounded.
            let silentSeen = await Self.drain(silentOutbox, quiet: .seconds(20))
            #expect(silentSeen == ["close:4001"])
            #expect(!talkerOutbox.isClosing, "a session that said hello has no hello deadline")
            clock.advance(millis: 55_000)
            let talkerSeen = await Self.drain(talkerOutbox, quiet: .seconds(20))
            #expect(talkerSeen.last == "close:4002")
            group.cancelAll()
        }
    }
}
