import ChatCore
import ChatServer
import ChatStore
import Foundation
import Testing

/// Bots over the real HTTP API and `/ws`, on SQLite and PostgreSQL: the admin API makes them,
/// `POST /api/rooms/:room/messages` posts as them, and a live member receives what they post.
@Suite("Bot API", .timeLimit(.minutes(3)))
struct BotAPITests {
    static func bearer(_ token: String) -> [String: String] { ["Authorization": "Bearer \(token)"] }

    /// A server on a fresh `database` with `root` (a server admin) and `alice` registered.
    static func withServer(
        _ configuration: ServerConfiguration = ServerConfigurationFactory.make(), database: TestDatabase,
        _ body:
            @Sendable (_ port: Int, _ store: any DatabaseURL.DurableStore, _ root: String, _ alice: String) async throws
            -> Void
    ) async throws {
        try await database.with { location in
            let opened = try location.open()
            let store = try #require(opened as? any DatabaseURL.DurableStore)
            try await TestServer.with(configuration, store: opened) { port, _ in
                let root = try await AccountTestClient.register(port: port, "root")
                #expect(try await store.setAdmin(true, name: "root"))
                let alice = try await AccountTestClient.register(port: port, "alice")
                try await body(port, store, root, alice)
            }
        }
    }

    /// Makes a bot through the admin API and returns its token.
    static func createBot(
        port: Int, admin: String, _ name: String, rooms: [String], read: Bool = false
    ) async throws -> String {
        let created = try await HTTP.request(
            "POST", port: port, path: "/api/admin/bots", json: ["name": name, "rooms": rooms, "read": read],
            headers: bearer(admin))
        #expect(created.status == 201, "\(created.body)")
        return try #require(created["token"] as? String)
    }

    static func post(
        port: Int, token: String?, room: String, _ json: [String: Any]
    ) async throws -> HTTP.Response {
        try await HTTP.request(
            "POST", port: port, path: "/api/rooms/\(room)/messages", json: json,
            headers: token.map { Self.bearer($0) } ?? [:])
    }

    @Test(
        "the admin API makes a bot; its post is stored, delivered live once, and a retry with its cid returns the same seq",
        arguments: await TestDatabase.available)
    func postIsSentLikeSend(database: TestDatabase) async throws {
        try await Self.withServer(database: database) { port, _, root, aliceToken in
            let alice = try await TestChatClient.connect(port: port, name: "alice")
            try await alice.hello(token: aliceToken)
            try await alice.join("deploys")
            try await alice.send(["type": "send", "room": "deploys", "text": "deploying?", "cid": "a1"])
            let aliceAck = try await alice.expectSent(cid: "a1").ack

            let anonymous = try await HTTP.request(
                "POST", port: port, path: "/api/admin/bots", json: ["name": "ci", "rooms": ["deploys"]])
            #expect(anonymous.status == 401)
            #expect(anonymous.errorCode == "missing_token")
            let notAdmin = try await HTTP.request(
                "POST", port: port, path: "/api/admin/bots", json: ["name": "ci", "rooms": ["deploys"]],
                headers: Self.bearer(aliceToken))
            #expect(notAdmin.status == 403)
            #expect(notAdmin.errorCode == "forbidden")

            let token = try await Self.createBot(port: port, admin: root, "ci", rooms: ["Deploys"])
            #expect(token.hasPrefix("rcbot_"))
            let taken = try await HTTP.request(
                "POST", port: port, path: "/api/admin/bots", json: ["name": "ALICE", "rooms": ["deploys"]],
                headers: Self.bearer(root))
            #expect(taken.status == 409)
            #expect(taken.errorCode == "name_taken")
            let list = try await HTTP.request("GET", port: port, path: "/api/admin/bots", headers: Self.bearer(root))
            let bots = try #require(list["bots"] as? [[String: Any]])
            #expect(bots.map { $0["name"] as? String } == ["ci"])
            #expect(bots.first?["token"] == nil, "a token is shown only when made")
            #expect(bots.first?["rooms"] as? [String] == ["Deploys"])

            let posted = try await Self.post(
                port: port, token: token, room: "deploys", ["text": "build 42 passed", "cid": "b42"])
            #expect(posted.status == 201, "\(posted.body)")
            let seq = try #require((posted["seq"] as? NSNumber)?.intValue)
            #expect(seq == (aliceAck.int("seq") ?? 0) + 1, "the next seq after alice's message")
            #expect(posted["from"] as? String == "ci")
            #expect(posted["duplicate"] as? Bool == false)
            let live = try await alice.expect("message")
            #expect(live.string("from") == "ci")
            #expect(live.string("text") == "build 42 passed")
            #expect(live.int("seq") == seq)

            let retry = try await Self.post(
                port: port, token: token, room: "deploys", ["text": "build 42 passed", "cid": "b42"])
            #expect(retry.status == 201)
            #expect((retry["seq"] as? NSNumber)?.intValue == seq, "the same cid answers the same seq")
            #expect(retry["duplicate"] as? Bool == true)
            let next = try await Self.post(
                port: port, token: token, room: "DEPLOYS", ["text": "build 43 passed", "cid": "b43"])
            #expect(next["room"] as? String == "deploys", "the room as stored, whatever case the path used")
            #expect((next["seq"] as? NSNumber)?.intValue == seq + 1, "the retry stored nothing")
            let after = try await alice.expect("message")
            #expect(after.int("seq") == seq + 1, "the member saw the retried message once: \(after.raw)")

            let history = try await HTTP.request("GET", port: port, path: "/api/rooms/deploys/messages")
            let texts = (history["messages"] as? [[String: Any]])?.compactMap { $0["text"] as? String }
            #expect(texts == ["build 43 passed", "build 42 passed", "deploying?"])

            let revoke = try await HTTP.request(
                "DELETE", port: port, path: "/api/admin/bots/CI", headers: Self.bearer(root))
            #expect(revoke.status == 204)
            let revoked = try await Self.post(
                port: port, token: token, room: "deploys", ["text": "late", "cid": "b44"])
            #expect(revoked.status == 401)
            #expect(revoked.errorCode == "token_revoked")
            let again = try await HTTP.request(
                "DELETE", port: port, path: "/api/admin/bots/ci", headers: Self.bearer(root))
            #expect(again.status == 404)
            #expect(again.errorCode == "no_such_bot")
            await alice.close()
        }
    }

    @Test(
        "a bot posts only inside its scope, to rooms that exist, under the rooms' bans, mutes and membership",
        arguments: await TestDatabase.available)
    func scopeAndRoomRules(database: TestDatabase) async throws {
        try await Self.withServer(database: database) { port, store, root, aliceToken in
            let alice = try await TestChatClient.connect(port: port, name: "alice")
            try await alice.hello(token: aliceToken)
            try await alice.join("deploys")
            try await alice.join("random")
            let now = ChatClock.wallMillis()
            _ = try await store.createRoom(Room(name: "vault", visibility: .private, creator: "alice", createdAt: now))
            let token = try await Self.createBot(port: port, admin: root, "ci", rooms: ["deploys", "vault", "nowhere"])

            let outside = try await Self.post(port: port, token: token, room: "random", ["text": "hi", "cid": "c1"])
            #expect(outside.status == 403)
            #expect(outside.errorCode == "forbidden")
            let missing = try await Self.post(port: port, token: token, room: "nowhere", ["text": "hi", "cid": "c2"])
            #expect(missing.status == 404)
            #expect(missing.errorCode == "no_such_room")
            let notMember = try await Self.post(port: port, token: token, room: "vault", ["text": "hi", "cid": "c3"])
            #expect(notMember.status == 403)
            #expect(notMember.errorCode == "not_member")
            // A bot is an account: a private room's owner (here the operator) can make it a member.
            try await store.setRole(.member, of: "ci", in: "vault", by: .serverOperator, now: now)
            #expect(
                try await Self.post(port: port, token: token, room: "vault", ["text": "hi", "cid": "c4"]).status == 201)

            try await store.mute("ci", in: "deploys", until: nil, by: .serverOperator, now: now)
            let muted = try await Self.post(port: port, token: token, room: "deploys", ["text": "hi", "cid": "c5"])
            #expect(muted.status == 403)
            #expect(muted.errorCode == "muted")
            #expect(try await store.unmute("ci", in: "deploys", by: .serverOperator, now: now))
            try await store.ban("ci", from: "deploys", until: nil, reason: "noisy", by: .serverOperator, now: now)
            let banned = try await Self.post(port: port, token: token, room: "deploys", ["text": "hi", "cid": "c6"])
            #expect(banned.status == 403)
            #expect(banned.errorCode == "banned")

            let userToken = try await Self.post(
                port: port, token: aliceToken, room: "deploys", ["text": "hi", "cid": "c7"])
            #expect(userToken.status == 403)
            #expect(userToken.errorCode == "bot_token_required")
            let noToken = try await Self.post(port: port, token: nil, room: "deploys", ["text": "hi", "cid": "c8"])
            #expect(noToken.status == 401)
            #expect(noToken.errorCode == "missing_token")
            let forged = try await Self.post(
                port: port, token: "rcbot_" + String(repeating: "A", count: 43), room: "deploys",
                ["text": "hi", "cid": "c9"])
            #expect(forged.status == 401)
            #expect(forged.errorCode == "invalid_token")
            let malformed = try await Self.post(
                port: port, token: "rcbot_short", room: "deploys", ["text": "hi", "cid": "c10"])
            #expect(malformed.status == 401)
            #expect(malformed.errorCode == "invalid_token")
            let asUser = try await HTTP.request("GET", port: port, path: "/api/me", headers: Self.bearer(token))
            #expect(asUser.status == 401, "a bot token opens no account route")
            let login = try await HTTP.request(
                "POST", port: port, path: "/api/login", json: ["name": "ci", "password": "anything goes"])
            #expect(login.status == 401, "no one logs in as a bot")
            await alice.close()
        }
    }

    @Test(
        "bad input, a large body, a long text and a fast bot get specific JSON errors",
        arguments: await TestDatabase.available)
    func limits(database: TestDatabase) async throws {
        var configuration = ServerConfigurationFactory.make()
        configuration.limits.maxTextScalars = 50
        configuration.bots.maxBodyBytes = 1_024
        configuration.bots.postsPerBot = .init(burst: 4, perMinute: 1)
        try await Self.withServer(configuration, database: database) { port, _, root, aliceToken in
            let alice = try await TestChatClient.connect(port: port, name: "alice")
            try await alice.hello(token: aliceToken)
            try await alice.join("deploys")
            let token = try await Self.createBot(port: port, admin: root, "ci", rooms: ["deploys"])

            let long = try await Self.post(
                port: port, token: token, room: "deploys", ["text": String(repeating: "x", count: 51), "cid": "l1"])
            #expect(long.status == 400)
            #expect(long.errorCode == "text_too_long")
            let large = try await Self.post(
                port: port, token: token, room: "deploys", ["text": String(repeating: "x", count: 2_000), "cid": "l2"])
            #expect(large.status == 413)
            #expect(large.errorCode == "body_too_large")
            let noCID = try await Self.post(port: port, token: token, room: "deploys", ["text": "hi"])
            #expect(noCID.status == 400)
            #expect(noCID.errorCode == "invalid_field")
            // The bucket of 4 is spent by now: every request of the bot takes from it.
            let limited = try await Self.post(port: port, token: token, room: "deploys", ["text": "", "cid": "l3"])
            #expect(limited.status == 400)
            #expect(limited.errorCode == "empty_text")
            let fast = try await Self.post(port: port, token: token, room: "deploys", ["text": "hi", "cid": "l4"])
            #expect(fast.status == 429)
            #expect(fast.errorCode == "rate_limited")
            #expect(Int(fast.headers["retry-after"] ?? "") ?? 0 >= 1)
            let badJSON = try await HTTP.request(
                "POST", port: port, path: "/api/admin/bots", rawBody: "{", headers: Self.bearer(root))
            #expect(badJSON.status == 400)
            #expect(badJSON.errorCode == "bad_json")
            let badRooms = try await HTTP.request(
                "POST", port: port, path: "/api/admin/bots", json: ["name": "x", "rooms": ["no spaces"]],
                headers: Self.bearer(root))
            #expect(badRooms.status == 400)
            #expect(badRooms.errorCode == "invalid_room")
            let sync = try await alice.sync()
            #expect(!sync.contains { $0.type == "message" }, "no refused post reached the room")
            await alice.close()
        }
    }
}
