import Foundation
import Testing

@testable import ChatCore

/// The presence grace period on real hubs: a reload posts no `left`/`joined`, across nodes.
@Suite("Hub: presence grace", .timeLimit(.minutes(1)))
struct HubPresenceGraceTests {
    /// Says hello as a guest, again while the nick is still held elsewhere (the lingering
    /// notice of the node the guest left travels through the broker; a real reload takes longer).
    static func reconnect(_ hub: Hub, as nick: String) async throws -> HubTests.Client {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let (id, outbox) = await hub.connect()
            let client = HubTests.Client(hub: hub, id: id, outbox: outbox)
            await client.send(#"{"type":"hello","nick":"\#(nick)"}"#)
            let answer = try await client.next()
            if answer["type"] as? String == "welcome" { return client }
            #expect(answer["code"] as? String == "nick_taken", "\(answer)")
            await hub.disconnect(id)
            try #require(ContinuousClock.now < deadline, "the lingering nick was never free")
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test(
        "a guest's reload onto another node within the grace: the room and a watcher hear nothing; the grace ending later posts nothing either"
    )
    func reloadAcrossNodesPostsNothing() async throws {
        try await HubTests.withNodes(2, presenceGrace: .seconds(2)) { hubs, _ in
            let alice = try await HubTests.connect(hubs[0], as: "alice")
            await alice.send(#"{"type":"join","room":"lobby"}"#)
            _ = try await alice.expect("joined")
            await alice.send(#"{"type":"watch","users":["bob"]}"#)
            #expect(try await alice.expect("status")["users"] as? [String: Bool] == ["bob": false])

            let bob = try await HubTests.connect(hubs[1], as: "bob")
            #expect(try await alice.expect("status")["users"] as? [String: Bool] == ["bob": true])
            await bob.send(#"{"type":"join","room":"lobby"}"#)
            _ = try await bob.expect("joined")
            #expect(try await alice.expect("presence")["event"] as? String == "join")

            // The reload: bob's socket ends on node 1 and a new one says hello on node 0.
            await hubs[1].disconnect(bob.id)
            let again = try await Self.reconnect(hubs[0], as: "bob")
            await again.send(#"{"type":"join","room":"lobby"}"#)
            let joined = try await again.expect("joined")
            #expect(joined["members"] as? [String] == ["alice", "bob"])
            await again.send(#"{"type":"send","room":"lobby","text":"back","cid":"b1"}"#)
            // No presence and no status before the message: nobody saw bob go.
            let message = try await alice.next()
            #expect(message["type"] as? String == "message", "\(message)")
            #expect(message["text"] as? String == "back")

            // Node 1's grace runs out: bob is on node 0 now, so still nothing is posted.
            try await Task.sleep(for: .seconds(3))
            await again.send(#"{"type":"send","room":"lobby","text":"still here","cid":"b2"}"#)
            let later = try await alice.next()
            #expect(later["type"] as? String == "message", "\(later)")
            #expect(later["text"] as? String == "still here")
            #expect(await hubs[0].roomCounts().first?.online == 2)
            #expect(await hubs[1].roomCounts().first?.online == 2)
        }
    }

    @Test("a drop longer than the grace posts left and offline once the grace ends")
    func longDropPostsAfterTheGrace() async throws {
        try await HubTests.withNodes(2, presenceGrace: .milliseconds(1_500)) { hubs, _ in
            let alice = try await HubTests.connect(hubs[0], as: "alice")
            await alice.send(#"{"type":"join","room":"lobby"}"#)
            _ = try await alice.expect("joined")
            let bob = try await HubTests.connect(hubs[1], as: "bob")
            await bob.send(#"{"type":"join","room":"lobby"}"#)
            _ = try await bob.expect("joined")
            #expect(try await alice.expect("presence")["event"] as? String == "join")
            await alice.send(#"{"type":"watch","users":["bob"]}"#)
            #expect(try await alice.expect("status")["users"] as? [String: Bool] == ["bob": true])

            let dropped = ContinuousClock.now
            await hubs[1].disconnect(bob.id)
            let left = try await alice.expect("presence")
            #expect(left["event"] as? String == "leave")
            #expect(left["user"] as? String == "bob")
            #expect(left["online"] as? Int == 1)
            #expect(ContinuousClock.now - dropped >= .milliseconds(1_500), "not before the grace ran out")
            #expect(try await alice.expect("status")["users"] as? [String: Bool] == ["bob": false])
        }
    }

    @Test("a session that said bye leaves at once, grace or not")
    func byeLeavesAtOnce() async throws {
        try await HubTests.withNodes(2, presenceGrace: .seconds(30)) { hubs, _ in
            let alice = try await HubTests.connect(hubs[0], as: "alice")
            await alice.send(#"{"type":"join","room":"lobby"}"#)
            _ = try await alice.expect("joined")
            let bob = try await HubTests.connect(hubs[1], as: "bob")
            await bob.send(#"{"type":"join","room":"lobby"}"#)
            _ = try await bob.expect("joined")
            #expect(try await alice.expect("presence")["event"] as? String == "join")

            await bob.send(#"{"type":"bye"}"#)
            await hubs[1].disconnect(bob.id)
            // Within the client's 5 s wait, far inside the 30 s grace.
            let left = try await alice.expect("presence")
            #expect(left["event"] as? String == "leave")
            #expect(left["user"] as? String == "bob")
        }
    }

    @Test("a lingering guest's nick is free on its own node; a connected one's is not")
    func lingeringNickIsFree() async throws {
        try await HubTests.withNodes(1, presenceGrace: .seconds(30)) { hubs, _ in
            let bob = try await HubTests.connect(hubs[0], as: "bob")
            let (id, outbox) = await hubs[0].connect()
            let impostor = HubTests.Client(hub: hubs[0], id: id, outbox: outbox)
            await impostor.send(#"{"type":"hello","nick":"bob"}"#)
            #expect(try await impostor.expect("error")["code"] as? String == "nick_taken")
            await hubs[0].disconnect(bob.id)
            // Same node: the hub knows at once that bob only lingers.
            await impostor.send(#"{"type":"hello","nick":"bob"}"#)
            #expect(try await impostor.expect("welcome")["user"] as? String == "bob")
        }
    }
}
