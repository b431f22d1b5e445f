import ChatCore
import ChatServer
import ChatStore
import Foundation
import Testing

/// Rooms from the store over HTTP: the directory (`GET /api/rooms`) and the privacy of the
/// history of private and invite-only rooms (`GET /api/rooms/:room/messages`).
@Suite("Rooms over /api", .timeLimit(.minutes(2)))
struct RoomsAPITests {
    /// Runs a server on a fresh `database` and hands `body` its port and the store it uses.
    static func withServer(
        _ database: TestDatabase,
        _ body: @Sendable @escaping (_ port: Int, _ store: any DatabaseURL.DurableStore) async throws -> Void
    ) async throws {
        try await database.with { location in
            let opened = try location.open()
            let store = try #require(opened as? any DatabaseURL.DurableStore)
            try await TestServer.with(ServerConfigurationFactory.make(), store: opened) { port, _ in
                try await body(port, store)
            }
        }
    }

    static func bearer(_ token: String) -> [String: String] { ["Authorization": "Bearer \(token)"] }

    @Test(
        "the directory lists stored public and invite rooms with topic and online count, never private ones",
        arguments: await TestDatabase.available)
    func directory(database: TestDatabase) async throws {
        try await Self.withServer(database) { port, store in
            _ = try await AccountTestClient.register(port: port, "alice")
            _ = try await store.createRoom(
                Room(name: "Lobby", topic: "say hi", visibility: .public, creator: "alice", createdAt: 1))
            _ = try await store.createRoom(
                Room(name: "club", topic: "ask alice", visibility: .invite, creator: "alice", createdAt: 2))
            _ = try await store.createRoom(
                Room(name: "secret", topic: "hush", visibility: .private, creator: "alice", createdAt: 3))
            _ = try await store.createRoom(Room(name: "empty", visibility: .public, creator: "alice", createdAt: 4))

            var clients: [TestChatClient] = []
            for (nick, room) in [("g1", "lobby"), ("g2", "lobby"), ("g3", "adhoc")] {
                let client = try await TestChatClient.connect(port: port, name: nick)
                try await client.hello(nick)
                try await client.join(room)
                clients.append(client)
            }
            // A guest never gets into a private room.
            let g4 = try await TestChatClient.connect(port: port, name: "g4")
            try await g4.hello("g4")
            try await g4.send(["type": "join", "room": "secret"])
            #expect(try await g4.expect("error").string("code") == "not_invited")
            clients.append(g4)
            let response = try await HTTP.request("GET", port: port, path: "/api/rooms")
            #expect(response.status == 200)
            let rooms = try #require(response.json as? [[String: Any]])
            let summary = rooms.map { room in
                "\(room["name"] as? String ?? "?")|\(room["topic"] as? String ?? "?")|\(room["visibility"] as? String ?? "?")|\(room["online"] as? Int ?? -1)"
            }
            #expect(
                summary == ["adhoc||public|1", "club|ask alice|invite|0", "empty||public|0", "Lobby|say hi|public|2"],
                "stored rooms are listed with nobody online; `lobby` online counts toward `Lobby`; `secret` never")
            #expect(!response.body.contains("secret") && !response.body.contains("hush"))
            for client in clients { await client.close() }
        }
    }

    @Test(
        "the history of private and invite rooms is for members: 401 without a token, 403 for others, never the messages",
        arguments: await TestDatabase.available)
    func historyPrivacy(database: TestDatabase) async throws {
        try await Self.withServer(database) { port, store in
            let alice = try await AccountTestClient.register(port: port, "alice")
            let bob = try await AccountTestClient.register(port: port, "bob")
            let carol = try await AccountTestClient.register(port: port, "carol")
            let mallory = try await AccountTestClient.register(port: port, "mallory")
            for (name, visibility) in [("Secret", RoomVisibility.private), ("Club", .invite)] {
                _ = try await store.createRoom(Room(name: name, visibility: visibility, creator: "alice", createdAt: 1))
                try await store.invite("carol", to: name, by: .user("alice"), now: 2)
                _ = try await store.join(room: name, user: "carol", now: 3)
                try await store.invite("mallory", to: name, by: .user("alice"), now: 2)
                _ = try await store.join(room: name, user: "mallory", now: 3)
                try await store.ban("mallory", from: name, until: nil, reason: "spam", by: .user("alice"), now: 4)
                _ = try await store.append(
                    MessageDraft(
                        conversation: .room(name), from: "alice", text: "the plan for \(name)", clientID: "p-\(name)",
                        timestamp: 5))

                let path = "/api/rooms/\(name)/messages"
                let anonymous = try await HTTP.request("GET", port: port, path: path)
                #expect(anonymous.status == 401)
                #expect(anonymous.errorCode == "missing_token")
                #expect(!anonymous.body.contains("the plan"))
                let outsider = try await HTTP.request("GET", port: port, path: path, headers: Self.bearer(bob))
                #expect(outsider.status == 403)
                #expect(outsider.errorCode == "forbidden")
                #expect(!outsider.body.contains("the plan"))
                let banned = try await HTTP.request("GET", port: port, path: path, headers: Self.bearer(mallory))
                #expect(banned.status == 403)
                #expect(banned.errorCode == "banned")
                #expect(!banned.body.contains("the plan"))

                for (token, who) in [(alice, "owner"), (carol, "invited member")] {
                    let page = try await HTTP.request(
                        "GET", port: port, path: "/api/rooms/\(name.lowercased())/messages", headers: Self.bearer(token)
                    )
                    #expect(page.status == 200, "the \(who) reads it")
                    #expect(page["room"] as? String == name, "any spelling reads the room's one history")
                    #expect(
                        (page["messages"] as? [[String: Any]])?.compactMap { $0["text"] as? String } == [
                            "the plan for \(name)"
                        ])
                }
            }
            _ = try await store.createRoom(Room(name: "open", visibility: .public, creator: "alice", createdAt: 1))
            _ = try await store.append(
                MessageDraft(
                    conversation: .room("open"), from: "alice", text: "hello all", clientID: "o1", timestamp: 5))
            let open = try await HTTP.request("GET", port: port, path: "/api/rooms/open/messages")
            #expect(open.status == 200, "public rooms stay readable without a token")
            #expect((open["messages"] as? [[String: Any]])?.count == 1)
            let bogus = try await HTTP.request(
                "GET", port: port, path: "/api/rooms/open/messages", headers: ["Authorization": "Bearer not-a-token"])
            #expect(bogus.status == 401, "a token that is sent is checked")
        }
    }

    @Test(
        "a disabled account's tokens are refused at once, and it cannot log in", arguments: await TestDatabase.available
    )
    func disabledAccount(database: TestDatabase) async throws {
        try await Self.withServer(database) { port, store in
            let token = try await AccountTestClient.register(port: port, "bob")
            #expect(
                try await HTTP.request("GET", port: port, path: "/api/me", headers: Self.bearer(token)).status == 200)
            #expect(try await store.setDisabled(true, name: "bob", now: ChatClock.wallMillis()))
            let me = try await HTTP.request("GET", port: port, path: "/api/me", headers: Self.bearer(token))
            #expect(me.status == 403)
            #expect(me.errorCode == "account_disabled")
            let login = try await HTTP.request(
                "POST", port: port, path: "/api/login", json: ["name": "bob", "password": "correct horse"])
            #expect(login.status == 403)
            #expect(login.errorCode == "account_disabled")
            let wrong = try await HTTP.request(
                "POST", port: port, path: "/api/login", json: ["name": "bob", "password": "wrong horse"])
            #expect(wrong.errorCode == "invalid_credentials", "a wrong password learns nothing about the account")
            let client = try await TestChatClient.connect(port: port, name: "bob")
            try await client.send(["type": "hello", "token": token])
            let refused = try await client.expect("error")
            #expect(refused.string("code") == "account_disabled", "the socket refuses the token too")
            await client.close()
        }
    }
}
