import ChatCore
import ChatServer
import Testing

/// `join` asks the room store over a real /ws socket: banned users and uninvited ones are refused
/// with their specific codes, and room names are one room whatever their case.
@Suite("Room admission over /ws", .timeLimit(.minutes(2)))
struct RoomAdmissionTests {
    @Test("a join of an invite-only room without an invitation is refused `not_invited`; a banned nick gets `banned`")
    func refusals() async throws {
        let store = InMemoryMessageStore()
        try await store.createAccount(Account(name: "alice", passwordHash: "h", createdAt: 1))
        _ = try await store.createRoom(Room(name: "club", visibility: .invite, creator: "alice", createdAt: 1))
        _ = try await store.createRoom(Room(name: "den", visibility: .public, creator: "alice", createdAt: 1))
        try await store.ban("mallory", from: "den", until: nil, reason: "spam", by: .serverOperator, now: 2)
        try await TestServer.with(store: store) { port, _ in
            let mallory = try await TestChatClient.connect(port: port, name: "mallory")
            try await mallory.hello("mallory")
            try await mallory.send(["type": "join", "room": "club"])
            let notInvited = try await mallory.expect("error")
            #expect(notInvited.string("code") == "not_invited")
            #expect(notInvited.string("ref") == "join")
            try await mallory.send(["type": "join", "room": "DEN"])
            let banned = try await mallory.expect("error")
            #expect(banned.string("code") == "banned")
            // The refused joins left the session out of both rooms: a send there is not_member.
            try await mallory.send(["type": "send", "room": "den", "text": "hi", "cid": "c1"])
            #expect(try await mallory.expect("error").string("code") == "not_member")
            // The connection stays usable, and a public room without a ban admits the guest.
            let joined = try await mallory.join("elsewhere")
            #expect(joined.string("room") == "elsewhere")
            await mallory.close()
        }
        #expect(try await store.room(named: "elsewhere")?.creator == "mallory", "a first join created the public room")
    }

    @Test("`Lobby` and `lobby` are one room: joins answer with the stored spelling and share the stream")
    func caseInsensitiveNames() async throws {
        try await TestServer.with { port, _ in
            let alice = try await TestChatClient.connect(port: port, name: "alice")
            try await alice.hello("alice")
            #expect(try await alice.join("Lobby").string("room") == "Lobby")
            let bob = try await TestChatClient.connect(port: port, name: "bob")
            try await bob.hello("bob")
            #expect(try await bob.join("LOBBY").string("room") == "Lobby", "the stored spelling, not the typed one")
            try await bob.send(["type": "send", "room": "lobby", "text": "one room", "cid": "c1"])
            var aliceSaw: TestChatClient.Frame?
            while aliceSaw == nil {
                let frame = try await alice.next()
                if frame.type == "message" { aliceSaw = frame }
            }
            #expect(aliceSaw?.string("room") == "Lobby")
            #expect(aliceSaw?.string("text") == "one room")
            #expect(aliceSaw?.string("from") == "bob")
            try await bob.send(["type": "leave", "room": "lobby"])
            var left: TestChatClient.Frame?
            while left == nil {
                let frame = try await bob.next()  // bob's ack and his own message come first
                if frame.type == "left" { left = frame }
            }
            #expect(left?.string("room") == "Lobby", "`leave` takes any case too")
            await alice.close()
            await bob.close()
        }
    }

    @Test(
        "`history` of a private or invite-only room over /ws is for members: `forbidden` for others, `banned` for the banned, never the messages"
    )
    func historyPrivacy() async throws {
        let store = InMemoryMessageStore()
        try await TestServer.with(store: store) { port, _ in
            let tokens = [
                "alice": try await AccountTestClient.register(port: port, "alice"),
                "carol": try await AccountTestClient.register(port: port, "carol"),
                "mallory": try await AccountTestClient.register(port: port, "mallory"),
            ]
            for (name, visibility) in [("Secret", RoomVisibility.private), ("Club", .invite)] {
                _ = try await store.createRoom(Room(name: name, visibility: visibility, creator: "alice", createdAt: 1))
                try await store.invite("mallory", to: name, by: .user("alice"), now: 2)
                _ = try await store.join(room: name, user: "mallory", now: 3)
                try await store.ban("mallory", from: name, until: nil, reason: "spam", by: .user("alice"), now: 4)
                _ = try await store.append(
                    MessageDraft(
                        conversation: .room(name), from: "alice", text: "plan for \(name)", clientID: "p-\(name)",
                        timestamp: 5))
            }
            for (who, room, code) in [
                ("guest1", "secret", "forbidden"), ("guest2", "CLUB", "forbidden"), ("carol", "secret", "forbidden"),
                ("mallory", "club", "banned"),
            ] {
                let client = try await TestChatClient.connect(port: port, name: who)
                if let token = tokens[who] { try await client.hello(token: token) } else { try await client.hello(who) }
                try await client.send(["type": "history", "room": room])
                let refusal = try await client.expect("error")
                #expect(refusal.string("code") == code, "\(who) reading \(room)")
                #expect(refusal.string("ref") == "history")
                #expect(!refusal.raw.contains("plan for"))
                await client.close()
            }
            let alice = try await TestChatClient.connect(port: port, name: "alice")
            try await alice.hello(token: tokens["alice"]!)
            try await alice.send(["type": "history", "room": "secret"])
            let history = try await alice.expect("history")
            #expect(history.raw.contains("plan for Secret"), "the owner reads it")
            await alice.close()
        }
    }

    @Test("`history` of a public room given in another case reads the stored room's messages")
    func historyCanonicalName() async throws {
        let store = InMemoryMessageStore()
        _ = try await store.createRoom(Room(name: "Lobby", visibility: .public, creator: "g0", createdAt: 1))
        _ = try await store.append(
            MessageDraft(conversation: .room("Lobby"), from: "g0", text: "hello", clientID: "c0", timestamp: 2))
        try await TestServer.with(store: store) { port, _ in
            let client = try await TestChatClient.connect(port: port, name: "g1")
            try await client.hello("g1")
            try await client.send(["type": "history", "room": "lobby"])
            let history = try await client.expect("history")
            let texts = (history.json["messages"] as? [[String: Any]])?.compactMap { $0["text"] as? String }
            #expect(texts == ["hello"])
            await client.close()
        }
    }

    @Test("`welcome` lists a registered user's stored rooms and DMs on a fresh connection; guests get neither")
    func welcomeRestoresRooms() async throws {
        let store = InMemoryMessageStore()
        try await TestServer.with(store: store) { port, _ in
            let token = try await AccountTestClient.register(port: port, "alice")
            _ = try await AccountTestClient.register(port: port, "bob")
            let first = try await TestChatClient.connect(port: port, name: "alice")
            try await first.hello(token: token)
            try await first.join("Lobby")
            try await first.join("den")
            try await first.send(["type": "send", "to": "bob", "text": "hi", "cid": "d1"])
            _ = try await Self.skip(to: "ack", on: first)  // her own DM's `message` may come first
            try await first.send(["type": "leave", "room": "DEN"])
            _ = try await Self.skip(to: "left", on: first)
            await first.close()

            let again = try await TestChatClient.connect(port: port, name: "alice")
            let welcome = try await again.hello(token: token)
            let rooms = (welcome.json["rooms"] as? [[String: Any]])?.map { "\($0["name"] ?? "?"):\($0["role"] ?? "?")" }
            #expect(rooms == ["Lobby:owner"], "the room she left is gone; the one she created she owns")
            #expect(welcome.json["dms"] as? [String] == ["bob"])
            await again.close()

            let guest = try await TestChatClient.connect(port: port, name: "g1")
            let guestWelcome = try await guest.hello("g1")
            #expect(guestWelcome.json["rooms"] == nil && guestWelcome.json["dms"] == nil)
            await guest.close()
        }
    }

    /// Reads `client`'s frames until one of `type` (the others are not what the test checks).
    static func skip(to type: String, on client: TestChatClient) async throws -> TestChatClient.Frame {
        while true {
            let frame = try await client.next()
            if frame.type == type { return frame }
        }
    }
}
