import ChatCore
import Testing

/// Edits, deletes, reactions and replies over two hubs sharing one exchange and one store: live
/// `update` entries, a resume that replays them exactly once, and who may change what.
@Suite("Hub: message edits, deletes, reactions, replies", .timeLimit(.minutes(1)))
struct HubMessageChangeTests {
    static func skipTo(_ type: String, _ client: HubTests.Client) async throws -> [String: Any] {
        while true {
            let frame = try await client.next()
            if frame["type"] as? String == type { return frame }
        }
    }

    /// The answer (`ack` or `error`) to `cid`.
    static func answer(_ cid: String, _ client: HubTests.Client) async throws -> [String: Any] {
        while true {
            let frame = try await client.next()
            let type = frame["type"] as? String
            if type == "ack" || type == "error", frame["cid"] as? String == cid { return frame }
        }
    }

    @Test(
        "changes made while a member is away reach it on resume once each, in seq order; a member online sees them live"
    )
    func liveAndResumed() async throws {
        try await HubTests.withNodes(2) { hubs, _ in
            let alice = try await HubTests.connect(hubs[0], as: "alice")
            await alice.send(#"{"type":"join","room":"den"}"#)
            _ = try await alice.expect("joined")
            let bob = try await HubTests.connect(hubs[1], as: "bob")
            await bob.send(#"{"type":"join","room":"den"}"#)
            _ = try await bob.expect("joined")
            await alice.send(#"{"type":"send","room":"den","text":"first","cid":"a1"}"#)
            #expect(try await Self.answer("a1", alice)["seq"] as? Int == 1)
            _ = try await Self.skipTo("message", bob)
            // bob resumes later from seq 1.
            await hubs[1].disconnect(bob.id)

            await alice.send(#"{"type":"send","room":"den","text":"second","cid":"a2","replyTo":1}"#)
            #expect(try await Self.answer("a2", alice)["seq"] as? Int == 2)
            await alice.send(#"{"type":"edit","room":"den","seq":1,"text":"first, edited","cid":"a3"}"#)
            let editAck = try await Self.answer("a3", alice)
            #expect(editAck["type"] as? String == "ack")
            #expect(editAck["seq"] as? Int == 3)
            let carol = try await HubTests.connect(hubs[1], as: "carol")
            await carol.send(#"{"type":"join","room":"den"}"#)
            _ = try await carol.expect("joined")
            // Live, on the other node: each change as an `update` entry with its own seq (carol's
            // own reaction reaches her before its ack: it is delivered once published).
            var live: [[String: Any]] = []
            var carolAck: [String: Any]?
            await carol.send(#"{"type":"react","room":"den","seq":2,"emoji":"👍","cid":"c1"}"#)
            while carolAck == nil {
                let frame = try await carol.next()
                if frame["type"] as? String == "update" { live.append(frame) }
                if frame["type"] as? String == "ack" { carolAck = frame }
            }
            #expect(carolAck?["seq"] as? Int == 4)
            await alice.send(#"{"type":"delete","room":"den","seq":2,"cid":"a4"}"#)
            #expect(try await Self.answer("a4", alice)["seq"] as? Int == 5)
            while live.count < 2 {
                let frame = try await carol.next()
                if frame["type"] as? String == "update" { live.append(frame) }
            }
            #expect(live.map { $0["seq"] as? Int } == [4, 5])
            #expect(live.map { ($0["update"] as? [String: Any])?["action"] as? String } == ["react", "delete"])
            #expect(live[0]["text"] == nil, "an update entry has no text of its own")

            let bobAgain = try await HubTests.connect(hubs[1], as: "bob2")
            await bobAgain.send(#"{"type":"join","room":"den","since":1}"#)
            let resumed = try await bobAgain.expect("joined")
            let entries = try #require(resumed["messages"] as? [[String: Any]])
            #expect(entries.map { $0["seq"] as? Int } == [2, 3, 4, 5], "each once, in order")
            #expect(entries.map { $0["type"] as? String } == ["message", "update", "update", "update"])
            // Entries show the current state: message 2 is deleted (its reply quote was of seq 1).
            #expect(entries[0]["deletedBy"] as? String == "alice")
            #expect(entries[0]["text"] as? String == "")
            #expect((entries[0]["replyTo"] as? [String: Any])?["seq"] as? Int == 1)

            await bobAgain.send(#"{"type":"history","room":"den"}"#)
            let history = try await bobAgain.expect("history")
            let page = try #require(history["messages"] as? [[String: Any]])
            let original = try #require(page.first { $0["seq"] as? Int == 1 })
            #expect(original["text"] as? String == "first, edited")
            #expect(original["editedAt"] != nil)
        }
    }

    @Test(
        "only the author edits; a member may not delete another's message, a room's owner may; reactions toggle and stay unique"
    )
    func permissions() async throws {
        let store = InMemoryMessageStore()
        try await store.createAccount(Account(name: "owner", passwordHash: "h", createdAt: 1))
        try await HubTests.withNodes(1, store: store) { hubs, _ in
            let owner = try await HubTests.connect(hubs[0], as: "owner")
            await owner.send(#"{"type":"room_create","room":"den"}"#)
            _ = try await owner.expect("room")
            await owner.send(#"{"type":"join","room":"den"}"#)
            _ = try await owner.expect("joined")
            let bob = try await HubTests.connect(hubs[0], as: "bob")
            await bob.send(#"{"type":"join","room":"den"}"#)
            _ = try await bob.expect("joined")
            let mallory = try await HubTests.connect(hubs[0], as: "mallory")
            await mallory.send(#"{"type":"join","room":"den"}"#)
            _ = try await mallory.expect("joined")
            await bob.send(#"{"type":"send","room":"den","text":"bob's words","cid":"b1"}"#)
            _ = try await Self.answer("b1", bob)

            await mallory.send(#"{"type":"edit","room":"den","seq":1,"text":"mallory's words","cid":"m1"}"#)
            #expect(try await Self.answer("m1", mallory)["code"] as? String == "forbidden")
            await mallory.send(#"{"type":"delete","room":"den","seq":1,"cid":"m2"}"#)
            #expect(try await Self.answer("m2", mallory)["code"] as? String == "forbidden")
            await mallory.send(#"{"type":"react","room":"den","seq":1,"emoji":"not one","cid":"m3"}"#)
            #expect(try await Self.answer("m3", mallory)["code"] as? String == "invalid_field")
            await mallory.send(#"{"type":"edit","room":"den","seq":42,"text":"x","cid":"m4"}"#)
            #expect(try await Self.answer("m4", mallory)["code"] as? String == "no_such_message")
            await mallory.send(#"{"type":"send","room":"den","text":"re","cid":"m5","replyTo":42}"#)
            #expect(try await Self.answer("m5", mallory)["code"] as? String == "no_such_message")

            await mallory.send(#"{"type":"react","room":"den","seq":1,"emoji":"🎉","cid":"m6"}"#)
            _ = try await Self.answer("m6", mallory)
            await mallory.send(#"{"type":"react","room":"den","seq":1,"emoji":"🎉","cid":"m7"}"#)
            _ = try await Self.answer("m7", mallory)
            await bob.send(#"{"type":"history","room":"den"}"#)
            var history = try await Self.skipTo("history", bob)
            var first = try #require((history["messages"] as? [[String: Any]])?.first { $0["seq"] as? Int == 1 })
            #expect(
                (first["reactions"] as? [[String: Any]])?.map { $0["count"] as? Int } == [1],
                "unique per user and emoji")

            await owner.send(#"{"type":"delete","room":"den","seq":1,"cid":"o1"}"#)
            #expect(try await Self.answer("o1", owner)["type"] as? String == "ack")
            await bob.send(#"{"type":"edit","room":"den","seq":1,"text":"too late","cid":"b2"}"#)
            #expect(try await Self.answer("b2", bob)["code"] as? String == "message_deleted")
            await bob.send(#"{"type":"history","room":"den"}"#)
            history = try await Self.skipTo("history", bob)
            first = try #require((history["messages"] as? [[String: Any]])?.first { $0["seq"] as? Int == 1 })
            #expect(first["deletedBy"] as? String == "owner")
            #expect(first["text"] as? String == "")
            #expect(first["reactions"] == nil)
        }
    }
}

/// `@name` mentions: which tokens count, and which names the hub records.
@Suite("Hub: mentions")
struct HubMentionTests {
    @Test(
        "candidates: @ at a word start, valid names, unique without regard to case, in order",
        arguments: [
            ("hi @bob and @Carol!", ["bob", "Carol"]),
            ("mail me at me@example.com", []),
            ("@bob @BOB @bob", ["bob"]),
            ("@ alone, @-dash_ok", ["-dash_ok"]),
            ("(@dave) @éve", ["dave"]),
            ("no mentions here", []),
        ])
    func candidates(text: String, expected: [String]) {
        #expect(Hub.mentionCandidates(in: text, maxNameLength: 32) == expected)
    }

    @Test(
        "a message records the mentioned users who are in the room, not other words; the frame and history carry them")
    func recorded() async throws {
        try await HubTests.withNodes(2) { hubs, _ in
            let alice = try await HubTests.connect(hubs[0], as: "alice")
            await alice.send(#"{"type":"join","room":"den"}"#)
            _ = try await alice.expect("joined")
            let bob = try await HubTests.connect(hubs[1], as: "bob")
            await bob.send(#"{"type":"join","room":"den"}"#)
            _ = try await bob.expect("joined")
            // alice's node must know bob is in the room before the mention can resolve.
            _ = try await alice.expect("presence")
            await alice.send(#"{"type":"send","room":"den","text":"@bob look, not @nobody","cid":"a1"}"#)
            let message = try await HubMessageChangeTests.skipTo("message", bob)
            #expect(message["mentions"] as? [String] == ["bob"])
            await bob.send(#"{"type":"history","room":"den"}"#)
            let history = try await HubMessageChangeTests.skipTo("history", bob)
            #expect((history["messages"] as? [[String: Any]])?.first?["mentions"] as? [String] == ["bob"])
        }
    }
}

/// `watch`: a DM peer's online state, followed across nodes without a shared room.
@Suite("Hub: watching DM peers' online state", .timeLimit(.minutes(1)))
struct HubWatchTests {
    @Test("a watcher hears a peer on another node come online and go offline; no room is shared")
    func statusAcrossNodes() async throws {
        try await HubTests.withNodes(2) { hubs, _ in
            let alice = try await HubTests.connect(hubs[0], as: "alice")
            await alice.send(#"{"type":"watch","users":["bob","nobody"]}"#)
            let first = try await alice.expect("status")
            #expect(first["users"] as? [String: Bool] == ["bob": false, "nobody": false])

            let bob = try await HubTests.connect(hubs[1], as: "bob")
            let online = try await alice.expect("status")
            #expect(online["users"] as? [String: Bool] == ["bob": true])
            await hubs[1].disconnect(bob.id)
            let offline = try await alice.expect("status")
            #expect(offline["users"] as? [String: Bool] == ["bob": false])

            await alice.send(#"{"type":"watch","users":["not a name!"]}"#)
            #expect(try await alice.expect("error")["code"] as? String == "invalid_name")
        }
    }
}
