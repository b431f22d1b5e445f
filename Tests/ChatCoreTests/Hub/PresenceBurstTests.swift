import ChatCore
import Testing

/// Presence batching through real hubs: two nodes on one in-process exchange.
@Suite("Presence bursts", .timeLimit(.minutes(1)))
struct PresenceBurstTests {
    @Test("a burst of joins reaches a member as a few frames that together name everyone, with the final count")
    func burstIsBatched() async throws {
        // A long window, so that a burst on a loaded machine still falls in one or two batches.
        try await HubTests.withNodes(2, presenceBatch: .seconds(1)) { hubs, _ in
            let alice = try await HubTests.connect(hubs[0], as: "alice")
            await alice.send(#"{"type":"join","room":"lobby"}"#)
            _ = try await alice.expect("joined")
            var joiners: [HubTests.Client] = []
            for index in 0..<20 { joiners.append(try await HubTests.connect(hubs[index % 2], as: "u\(index)")) }
            await withTaskGroup(of: Void.self) { group in
                for joiner in joiners { group.addTask { await joiner.send(#"{"type":"join","room":"lobby"}"#) } }
            }
            var seen: Set<String> = []
            var frames = 0
            var online = 0
            while seen.count < 20 {
                let presence = try await alice.expect("presence")
                frames += 1
                if presence["event"] as? String == "batch" {
                    #expect(presence["user"] == nil)
                    #expect((presence["left"] as? [String]) == [])
                    seen.formUnion(try #require(presence["joined"] as? [String]))
                } else {
                    #expect(presence["event"] as? String == "join", "\(presence)")
                    seen.insert(try #require(presence["user"] as? String))
                }
                online = try #require(presence["online"] as? Int)
            }
            #expect(seen == Set((0..<20).map { "u\($0)" }))
            #expect(online == 21)
            // Without batching: one frame per joiner.
            #expect(frames < 10, "\(frames) presence frames for 20 joins")
        }
    }

    @Test("a member learns that a user joined before hearing from them, even inside a batch window")
    func presenceBeforeMessages() async throws {
        try await HubTests.withNodes(1, presenceBatch: .seconds(30)) { hubs, _ in
            let alice = try await HubTests.connect(hubs[0], as: "alice")
            await alice.send(#"{"type":"join","room":"den"}"#)
            _ = try await alice.expect("joined")
            // Alice's own join opened the room's window: carol's and bob's joins wait in it…
            for nick in ["carol", "bob"] {
                let joiner = try await HubTests.connect(hubs[0], as: nick)
                await joiner.send(#"{"type":"join","room":"den"}"#)
                _ = try await joiner.expect("joined")
            }
            let bob = try await HubTests.connect(hubs[0], as: "bob2")
            await bob.send(#"{"type":"join","room":"den"}"#)
            _ = try await bob.expect("joined")
            // …until bob2 speaks: the waiting presence goes first (the 30 s window never fired).
            await bob.send(#"{"type":"send","room":"den","text":"hi","cid":"b1"}"#)
            let presence = try await alice.next()
            #expect(presence["type"] as? String == "presence", "\(presence)")
            #expect(presence["event"] as? String == "batch")
            #expect(presence["joined"] as? [String] == ["bob", "bob2", "carol"])
            #expect(presence["online"] as? Int == 4)
            let message = try await alice.next()
            #expect(message["type"] as? String == "message")
            #expect(message["from"] as? String == "bob2")
        }
    }
}
