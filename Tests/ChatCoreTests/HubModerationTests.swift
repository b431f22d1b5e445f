import ChatCore
import Testing

/// Rooms and moderation over two hubs (two nodes) sharing one exchange and one store: the
/// moderation frames, their events in the room's `seq` stream, and their enforcement on the
/// node that did not make them.
@Suite("Hub: rooms and moderation across nodes", .timeLimit(.minutes(1)))
struct HubModerationTests {
    static let ignorable: Set<String> = ["presence", "typing", "receipt"]

    /// A store where `alice` (owner-to-be) and `bob` have accounts; the hubs here take nicks, so
    /// `alice` speaks as her account (the server refuses a registered nick without its token).
    static func store() async throws -> InMemoryMessageStore {
        let store = InMemoryMessageStore()
        for name in ["alice", "bob", "carol"] {
            try await store.createAccount(Account(name: name, passwordHash: "h", createdAt: 1))
        }
        return store
    }

    /// Connects as `nick` once the node has heard that the nick's previous session is gone.
    static func connectOnceFree(_ hub: Hub, as nick: String) async throws -> HubTests.Client {
        for _ in 0..<100 {
            let (id, outbox) = await hub.connect()
            let client = HubTests.Client(hub: hub, id: id, outbox: outbox)
            await client.send(#"{"type":"hello","nick":"\#(nick)"}"#)
            let answer = try await client.next()
            if answer["type"] as? String == "welcome" { return client }
            try #require(answer["code"] as? String == "nick_taken", "\(answer)")
            await hub.disconnect(id)
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CancellationError()
    }

    static func skipTo(_ type: String, _ client: HubTests.Client) async throws -> [String: Any] {
        while true {
            let frame = try await client.next()
            if frame["type"] as? String == type { return frame }
            try #require(
                Self.ignorable.contains(frame["type"] as? String ?? "") || frame["type"] as? String == "message"
                    || frame["type"] as? String == "ack",
                "waiting for \(type), got \(frame)")
        }
    }

    @Test(
        "a ban made on one node removes the target on the other at once: event, then `left`; send is not_member, rejoin banned; a resume gets the event once"
    )
    func banAcrossNodes() async throws {
        try await HubTests.withNodes(2, store: try await Self.store()) { hubs, _ in
            let alice = try await HubTests.connect(hubs[0], as: "alice")
            await alice.send(#"{"type":"room_create","room":"Den","topic":"a quiet den"}"#)
            let created = try await alice.expect("room")
            #expect(created["room"] as? String == "Den")
            #expect(created["role"] as? String == "owner")
            #expect(created["ref"] as? String == "room_create")
            await alice.send(#"{"type":"join","room":"den"}"#)
            _ = try await alice.expect("joined")

            let mallory = try await HubTests.connect(hubs[1], as: "mallory")
            await mallory.send(#"{"type":"join","room":"den"}"#)
            _ = try await mallory.expect("joined")
            let bob = try await HubTests.connect(hubs[1], as: "bob")
            await bob.send(#"{"type":"join","room":"den"}"#)
            _ = try await bob.expect("joined", skipping: Self.ignorable)
            await mallory.send(#"{"type":"send","room":"den","text":"spam","cid":"m1"}"#)
            _ = try await Self.skipTo("ack", mallory)

            await alice.send(#"{"type":"ban","room":"den","user":"mallory","reason":"spam"}"#)
            let answer = try await Self.skipTo("member", alice)
            #expect(answer["change"] as? String == "banned")
            #expect(answer["user"] as? String == "mallory")
            #expect(answer["by"] as? String == "alice")

            // The target, on the other node, gets the event and then `left`.
            var event: [String: Any]?
            while event == nil {
                let frame = try await mallory.next()
                if frame["type"] as? String == "message", frame["event"] != nil { event = frame }
            }
            let ban = try #require(event?["event"] as? [String: Any])
            #expect(ban["action"] as? String == "ban")
            #expect(ban["user"] as? String == "mallory")
            #expect(ban["reason"] as? String == "spam")
            #expect(event?["from"] as? String == "alice")
            #expect(event?["seq"] as? Int == 2)
            let left = try await mallory.expect("left", skipping: Self.ignorable)
            #expect(left["reason"] as? String == "banned")
            #expect(left["by"] as? String == "alice")

            // A bystander on that node saw the same event, and stays.
            let seen = try await Self.skipTo("message", bob)
            let bystanderEvent = seen["seq"] as? Int == 1 ? try await Self.skipTo("message", bob) : seen
            #expect((bystanderEvent["event"] as? [String: Any])?["action"] as? String == "ban")

            await mallory.send(#"{"type":"send","room":"den","text":"still here?","cid":"m2"}"#)
            let refused = try await mallory.expect("error", skipping: Self.ignorable)
            #expect(refused["code"] as? String == "not_member")
            #expect(refused["cid"] as? String == "m2")
            await mallory.send(#"{"type":"join","room":"den"}"#)
            #expect(try await mallory.expect("error", skipping: Self.ignorable)["code"] as? String == "banned")

            // A client resuming from before the ban gets it once, in order, between messages.
            await bob.send(#"{"type":"send","room":"den","text":"after","cid":"b1"}"#)
            _ = try await Self.skipTo("ack", bob)
            let carol = try await HubTests.connect(hubs[0], as: "carol")
            await carol.send(#"{"type":"join","room":"den","since":0}"#)
            let resumed = try await carol.expect("joined")
            let messages = try #require(resumed["messages"] as? [[String: Any]])
            #expect(messages.map { $0["seq"] as? Int } == [1, 2, 3])
            #expect(messages.filter { $0["event"] != nil }.count == 1)
            #expect((messages[1]["event"] as? [String: Any])?["action"] as? String == "ban")
        }
    }

    @Test("a mute is enforced on send by every node, also for a session that joins later; unmute lifts it")
    func muteAcrossNodes() async throws {
        try await HubTests.withNodes(3, store: try await Self.store()) { hubs, _ in
            let alice = try await HubTests.connect(hubs[0], as: "alice")
            await alice.send(#"{"type":"room_create","room":"hall"}"#)
            _ = try await alice.expect("room")
            await alice.send(#"{"type":"join","room":"hall"}"#)
            _ = try await alice.expect("joined")
            let bob = try await HubTests.connect(hubs[1], as: "bob")
            await bob.send(#"{"type":"join","room":"hall"}"#)
            _ = try await bob.expect("joined")

            await alice.send(#"{"type":"mute","room":"hall","user":"bob"}"#)
            #expect(try await Self.skipTo("member", alice)["change"] as? String == "muted")
            let muteEvent = try await Self.skipTo("message", bob)
            #expect((muteEvent["event"] as? [String: Any])?["action"] as? String == "mute")
            await bob.send(#"{"type":"send","room":"hall","text":"can I talk?","cid":"b1"}"#)
            let refused = try await bob.expect("error", skipping: Self.ignorable)
            #expect(refused["code"] as? String == "muted")
            #expect(refused["cid"] as? String == "b1")

            // bob reconnects on a third node, which had no member of the room when the mute went
            // out: it learns the mute from the store as he joins (`RoomJoin.mute`).
            await hubs[1].disconnect(bob.id)
            let bobElsewhere = try await Self.connectOnceFree(hubs[2], as: "bob")
            await bobElsewhere.send(#"{"type":"join","room":"hall"}"#)
            _ = try await bobElsewhere.expect("joined", skipping: Self.ignorable)
            await bobElsewhere.send(#"{"type":"send","room":"hall","text":"and here?","cid":"b2"}"#)
            #expect(try await bobElsewhere.expect("error", skipping: Self.ignorable)["code"] as? String == "muted")

            await alice.send(#"{"type":"unmute","room":"hall","user":"bob"}"#)
            #expect(try await Self.skipTo("member", alice)["change"] as? String == "unmuted")
            _ = try await Self.skipTo("message", bobElsewhere)
            await bobElsewhere.send(#"{"type":"send","room":"hall","text":"thanks","cid":"b3"}"#)
            let ack = try await Self.skipTo("ack", bobElsewhere)
            #expect(ack["cid"] as? String == "b3")
        }
    }

    @Test(
        "an invite-only room: `invited` reaches the invitee on the other node, who joins; a moderator made by set_role may kick; members see roles in room_info"
    )
    func inviteRolesAndInfo() async throws {
        try await HubTests.withNodes(2, store: try await Self.store()) { hubs, _ in
            let alice = try await HubTests.connect(hubs[0], as: "alice")
            await alice.send(#"{"type":"room_create","room":"club","visibility":"invite","topic":"members only"}"#)
            let created = try await alice.expect("room")
            #expect(created["visibility"] as? String == "invite")
            await alice.send(#"{"type":"join","room":"club"}"#)
            _ = try await alice.expect("joined")
            let bob = try await HubTests.connect(hubs[1], as: "bob")
            let carol = try await HubTests.connect(hubs[1], as: "carol")
            await bob.send(#"{"type":"join","room":"club"}"#)
            #expect(try await bob.expect("error")["code"] as? String == "not_invited")
            await bob.send(#"{"type":"room_info","room":"club"}"#)
            #expect(
                try await bob.expect("error")["code"] as? String == "forbidden", "a private room's members are private")

            await alice.send(#"{"type":"invite","room":"club","user":"bob"}"#)
            #expect(try await Self.skipTo("member", alice)["change"] as? String == "invited")
            let invited = try await bob.expect("invited")
            #expect(invited["room"] as? String == "club")
            #expect(invited["by"] as? String == "alice")
            await bob.send(#"{"type":"join","room":"club"}"#)
            _ = try await bob.expect("joined")
            await alice.send(#"{"type":"invite","room":"club","user":"carol"}"#)
            #expect(try await Self.skipTo("member", alice)["user"] as? String == "carol")
            _ = try await carol.expect("invited")
            await carol.send(#"{"type":"join","room":"club"}"#)
            _ = try await carol.expect("joined")

            // bob may not kick yet; made moderator, he may.
            await bob.send(#"{"type":"kick","room":"club","user":"carol"}"#)
            #expect(try await Self.skipTo("error", bob)["code"] as? String == "forbidden")
            await bob.send(#"{"type":"set_role","room":"club","user":"bob","role":"owner"}"#)
            #expect(try await Self.skipTo("error", bob)["code"] as? String == "forbidden")
            await alice.send(#"{"type":"set_role","room":"club","user":"bob","role":"moderator"}"#)
            let promoted = try await Self.skipTo("member", alice)
            #expect(promoted["change"] as? String == "role")
            #expect(promoted["role"] as? String == "moderator")

            await bob.send(#"{"type":"room_info","room":"club"}"#)
            let info = try await Self.skipTo("room", bob)
            #expect(info["role"] as? String == "moderator")
            let members = try #require(info["members"] as? [[String: Any]])
            let roles = Dictionary(uniqueKeysWithValues: members.map { ($0["user"] as! String, $0["role"] as! String) })
            #expect(roles == ["alice": "owner", "bob": "moderator", "carol": "member"])
            #expect(info["bans"] != nil, "moderators see bans")
            await carol.send(#"{"type":"room_info","room":"club"}"#)
            let carolInfo = try await Self.skipTo("room", carol)
            #expect(carolInfo["bans"] == nil, "members do not see bans")

            await bob.send(#"{"type":"kick","room":"club","user":"carol","reason":"off topic"}"#)
            #expect(try await Self.skipTo("member", bob)["change"] as? String == "kicked")
            let carolLeft = try await Self.skipTo("left", carol)
            #expect(carolLeft["reason"] as? String == "kicked")
            // A kick ends the stored membership of an invite-only room: carol needs a new invite.
            await carol.send(#"{"type":"join","room":"club"}"#)
            #expect(try await Self.skipTo("error", carol)["code"] as? String == "not_invited")

            // Topic changes are owner business, and the room sees them in its stream.
            await alice.send(#"{"type":"room_update","room":"club","topic":"new topic"}"#)
            let updated = try await Self.skipTo("room", alice)
            #expect(updated["topic"] as? String == "new topic")
            var topicEvent: [String: Any]?
            while topicEvent == nil {
                let frame = try await Self.skipTo("message", bob)
                if (frame["event"] as? [String: Any])?["action"] as? String == "topic" { topicEvent = frame }
            }
            #expect((topicEvent?["event"] as? [String: Any])?["topic"] as? String == "new topic")
        }
    }

    @Test(
        "bad moderation frames get specific errors and the session stays usable",
        arguments: [
            (#"{"type":"ban","room":"den","user":"bob","until":1}"#, "invalid_field"),
            (#"{"type":"set_role","room":"den","user":"bob"}"#, "invalid_field"),
            (#"{"type":"set_role","room":"den","user":"bob","role":"king"}"#, "invalid_field"),
            (#"{"type":"kick","room":"den","user":"no such user!"}"#, "invalid_name"),
            (#"{"type":"kick","room":"nowhere","user":"bob"}"#, "no_such_room"),
            (#"{"type":"kick","room":"den"}"#, "invalid_field"),
            (#"{"type":"room_update","room":"den"}"#, "invalid_field"),
            (#"{"type":"room_create","room":"DEN"}"#, "room_exists"),
            (#"{"type":"room_info","room":"nowhere"}"#, "no_such_room"),
            (#"{"type":"invite","room":"den","user":"ghost"}"#, "no_such_user"),
            (#"{"type":"block","user":"bob"}"#, "forbidden"),
        ])
    func badFrames(frame: String, code: String) async throws {
        try await HubTests.withNodes(1, store: try await Self.store()) { hubs, _ in
            let alice = try await HubTests.connect(hubs[0], as: "alice")
            await alice.send(#"{"type":"room_create","room":"den","visibility":"invite"}"#)
            _ = try await alice.expect("room")
            await alice.send(frame)
            let refusal = try await alice.expect("error")
            #expect(refusal["code"] as? String == code, "\(frame) → \(refusal)")
            await alice.send(#"{"type":"ping","id":"still"}"#)
            #expect(try await alice.expect("pong")["id"] as? String == "still")
        }
    }
}
