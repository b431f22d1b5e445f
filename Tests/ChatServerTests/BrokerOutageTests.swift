import Foundation
import TestSupport
import Testing

/// RabbitMQ stops and restarts under a live conversation. It disturbs every client of the local
/// broker, so it runs only in scripts/test's `disruptive` phase (see `TestPhase`).
@Suite(
    "BrokerOutage: RabbitMQ restarts mid-conversation", .tags(.disruptive), .ownPhase, MultiNodeCluster.required,
    .serialized, .timeLimit(.minutes(4))
)
struct BrokerOutageTests {
    @Test("clients stay connected, sends fail clearly while it is down, nothing acknowledged is lost")
    func restartMidConversation() async throws {
        try await MultiNodeCluster.with(nodes: 2) { nodes in
            let room = MultiNodeCluster.unique("outage")
            let alice = try await TestChatClient.connect(port: nodes[0].port, name: "alice")
            try await alice.hello(MultiNodeCluster.unique("alice"))
            try await alice.join(room)
            let bob = try await TestChatClient.connect(port: nodes[1].port, name: "bob")
            try await bob.hello(MultiNodeCluster.unique("bob"))
            try await bob.join(room)

            var acked: Set<Int> = []
            var counter = 0
            /// Sends until acked, retrying with the same cid on `unavailable`.
            func sendAcked(_ text: String, deadline: Duration = .seconds(90)) async throws {
                counter += 1
                let cid = "m\(counter)"
                let end = ContinuousClock.now + deadline
                while ContinuousClock.now < end {
                    try await alice.send(["type": "send", "room": room, "text": text, "cid": cid])
                    while true {
                        let frame = try await alice.next(timeout: .seconds(30))
                        if frame.type == "ack", frame.string("cid") == cid {
                            acked.insert(frame.int("seq")!)
                            return
                        }
                        if frame.type == "error", frame.string("cid") == cid {
                            #expect(frame.string("code") == "unavailable")
                            try await Task.sleep(for: .milliseconds(500))
                            break
                        }
                    }
                }
                Issue.record("message \(cid) was never acknowledged")
            }

            for i in 0..<5 { try await sendAcked("before \(i)") }
            try await RabbitMQCtl.run(["stop_app"])
            // While the broker is down: a send is refused clearly (not hung), the socket stays.
            try await alice.send(["type": "send", "room": room, "text": "during", "cid": "down"])
            var refusal: TestChatClient.Frame
            repeat {
                refusal = try await alice.next(timeout: .seconds(30))
            } while refusal.type == "message" || refusal.type == "presence"
            #expect(refusal.type == "error")
            #expect(refusal.string("code") == "unavailable")
            // Bob's socket works during the outage too (what it read so far counts as seen).
            var seen: [Int] = try await bob.sync().filter { $0.type == "message" }.compactMap { $0.int("seq") }
            try await RabbitMQCtl.run(["start_app"])
            try await RabbitMQCtl.run(["await_startup"])
            for i in 0..<5 { try await sendAcked("after \(i)") }

            // Bob sees every acknowledged message exactly once, in order (live or filled from
            // the store after the recovery).
            let deadline = ContinuousClock.now + .seconds(60)
            while !acked.isSubset(of: Set(seen)), ContinuousClock.now < deadline {
                guard let frame = try? await bob.next(timeout: .seconds(20)) else { break }
                if frame.type == "message", let seq = frame.int("seq") { seen.append(seq) }
            }
            #expect(
                acked.isSubset(of: Set(seen)),
                "bob missed \(acked.subtracting(seen).sorted()); acked \(acked.sorted()), seen \(seen)")
            #expect(seen == seen.sorted(), "in order")
            #expect(Set(seen).count == seen.count, "no duplicates")
            await alice.close()
            await bob.close()
        }
    }
}
