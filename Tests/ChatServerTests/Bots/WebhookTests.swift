import ChatCore
import ChatServer
import Foundation
import Testing

/// Incoming webhooks over real HTTP, on SQLite and PostgreSQL: Slack-style bodies post to the
/// hook's room as its bot, a live member receives them, and a revoked hook is gone.
@Suite("Incoming webhooks", .timeLimit(.minutes(3)))
struct WebhookTests {
    static func bearer(_ token: String) -> [String: String] { BotAPITests.bearer(token) }

    /// Posts `body` to `path` with `contentType`, raw (the form test needs its own content type).
    static func post(port: Int, path: String, body: String, contentType: String) async throws -> HTTP.Response {
        let request =
            "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
            + "Content-Type: \(contentType)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        return try HTTP.Response(parsing: try await HTTP.exchange(port: port, request: request))
    }

    @Test(
        "a hook posts Slack's JSON and form bodies as its bot to a live member; revoked, it answers 404",
        arguments: await TestDatabase.available)
    func hookPostsAsItsBot(database: TestDatabase) async throws {
        try await BotAPITests.withServer(database: database) { port, _, root, aliceToken in
            let alice = try await TestChatClient.connect(port: port, name: "alice")
            try await alice.hello(token: aliceToken)
            try await alice.join("alerts")
            _ = try await BotAPITests.createBot(port: port, admin: root, "monitor", rooms: ["alerts"])

            let outside = try await HTTP.request(
                "POST", port: port, path: "/api/admin/bots/monitor/hooks", json: ["room": "random"],
                headers: Self.bearer(root))
            #expect(outside.status == 400)
            #expect(outside.errorCode == "room_out_of_scope")
            let ghost = try await HTTP.request(
                "POST", port: port, path: "/api/admin/bots/ghost/hooks", json: ["room": "alerts"],
                headers: Self.bearer(root))
            #expect(ghost.status == 404)
            #expect(ghost.errorCode == "no_such_bot")
            let created = try await HTTP.request(
                "POST", port: port, path: "/api/admin/bots/monitor/hooks", json: ["room": "alerts"],
                headers: Self.bearer(root))
            #expect(created.status == 201, "\(created.body)")
            let path = try #require(created["path"] as? String)
            let id = try #require(created["id"] as? String)
            #expect(path.hasPrefix("/hooks/") && path.count == "/hooks/".count + 43)

            let json = try await Self.post(
                port: port, path: path, body: #"{"text": "disk <b>full</b>", "username": "ignored"}"#,
                contentType: "application/json")
            #expect(json.status == 200, "\(json.body)")
            #expect(json["ok"] as? Bool == true)
            let first = try await alice.expect("message")
            #expect(first.string("from") == "monitor")
            #expect(first.string("text") == "disk <b>full</b>", "text is kept verbatim, rendered as text by clients")
            #expect(first.int("seq") == (json["seq"] as? NSNumber)?.intValue)

            let form = try await Self.post(
                port: port, path: path, body: "payload=%7B%22text%22%3A%22cpu+at+99%25%22%7D",
                contentType: "application/x-www-form-urlencoded")
            #expect(form.status == 200, "\(form.body)")
            #expect(try await alice.expect("message").string("text") == "cpu at 99%")

            let noText = try await Self.post(
                port: port, path: path, body: #"{"username": "x"}"#, contentType: "application/json")
            #expect(noText.status == 400)
            #expect(noText.errorCode == "missing_text")
            let notJSON = try await Self.post(port: port, path: path, body: "text=hi", contentType: "text/plain")
            #expect(notJSON.status == 400)
            #expect(notJSON.errorCode == "bad_json")

            let list = try await HTTP.request(
                "GET", port: port, path: "/api/admin/hooks?bot=monitor", headers: Self.bearer(root))
            let hooks = try #require(list["hooks"] as? [[String: Any]])
            #expect(hooks.map { $0["id"] as? String } == [id])
            #expect(hooks.first?["secret"] == nil && hooks.first?["path"] == nil, "a secret is shown only when made")
            let forbidden = try await HTTP.request(
                "GET", port: port, path: "/api/admin/hooks", headers: Self.bearer(aliceToken))
            #expect(forbidden.status == 403)

            let revoke = try await HTTP.request(
                "DELETE", port: port, path: "/api/admin/hooks/\(id)", headers: Self.bearer(root))
            #expect(revoke.status == 204)
            let gone = try await Self.post(
                port: port, path: path, body: #"{"text": "late"}"#, contentType: "application/json")
            #expect(gone.status == 404)
            #expect(gone.errorCode == "no_such_hook")
            let unknown = try await Self.post(
                port: port, path: "/hooks/" + String(repeating: "B", count: 43), body: #"{"text": "x"}"#,
                contentType: "application/json")
            #expect(unknown.status == 404)
            #expect(unknown.errorCode == "no_such_hook")
            let sync = try await alice.sync()
            #expect(!sync.contains { $0.type == "message" }, "no refused hook post reached the room")
            await alice.close()
        }
    }

    @Test(
        "hooks are rate-limited per hook and per address of refused secrets, and bounded in size",
        arguments: await TestDatabase.available)
    func hookLimits(database: TestDatabase) async throws {
        var configuration = ServerConfigurationFactory.make()
        configuration.bots.postsPerHook = .init(burst: 2, perMinute: 1)
        configuration.bots.refusedHooksPerAddress = .init(burst: 2, perMinute: 1)
        configuration.bots.maxBodyBytes = 512
        try await BotAPITests.withServer(configuration, database: database) { port, _, root, _ in
            _ = try await BotAPITests.createBot(port: port, admin: root, "monitor", rooms: ["alerts"])
            let created = try await HTTP.request(
                "POST", port: port, path: "/api/admin/bots/monitor/hooks", json: ["room": "alerts"],
                headers: Self.bearer(root))
            let path = try #require(created["path"] as? String)
            // The room must exist for a bot to post to it.
            let noRoom = try await Self.post(
                port: port, path: path, body: #"{"text": "one"}"#, contentType: "application/json")
            #expect(noRoom.status == 404)
            #expect(noRoom.errorCode == "no_such_room")
            let large = try await Self.post(
                port: port, path: path, body: #"{"text": ""# + String(repeating: "x", count: 600) + #""}"#,
                contentType: "application/json")
            #expect(large.status == 413)
            #expect(large.errorCode == "body_too_large")
            let fast = try await Self.post(
                port: port, path: path, body: #"{"text": "three"}"#, contentType: "application/json")
            #expect(fast.status == 429)
            #expect(fast.errorCode == "rate_limited")
            #expect(Int(fast.headers["retry-after"] ?? "") ?? 0 >= 1)

            let wrong = "/hooks/" + String(repeating: "C", count: 43)
            for _ in 1...2 {
                #expect(
                    try await Self.post(port: port, path: wrong, body: "{}", contentType: "application/json").status
                        == 404)
            }
            let guessing = try await Self.post(port: port, path: wrong, body: "{}", contentType: "application/json")
            #expect(guessing.status == 429, "a third refused secret from the address is slowed down")
            #expect(guessing.errorCode == "rate_limited")
        }
    }
}
