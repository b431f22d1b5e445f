import ChatCore
import ChatServer
import Foundation
import Testing

/// Accounts over the real HTTP API and the real WebSocket: registration, login, tokens in
/// `hello`, reserved names, `--require-auth`, rate limits and offline direct messages.
@Suite("Accounts over /api and /ws", .timeLimit(.minutes(2)))
struct AccountTests {
    @Test("register, me, login and logout: tokens work until revoked", arguments: await TestDatabase.available)
    func registerLoginLogout(database: TestDatabase) async throws {
        try await TestServer.with(database: database) { port, _ in
            let registered = try await HTTP.request(
                "POST", port: port, path: "/api/register", json: ["name": "alice", "password": "correct horse"])
            #expect(registered.status == 201)
            #expect(registered["user"] as? String == "alice")
            let first = try #require(registered["token"] as? String)
            #expect(first.utf8.count == 43, "256 random bits as base64url")
            #expect((registered["expiresAt"] as? NSNumber)?.int64Value ?? 0 > ChatClock.wallMillis())

            let me = try await HTTP.request(
                "GET", port: port, path: "/api/me", headers: ["Authorization": "Bearer \(first)"])
            #expect(me.status == 200)
            #expect(me["user"] as? String == "alice")

            let second = try await AccountTestClient.login(port: port, "alice")
            #expect(second != first)
            let logout = try await HTTP.request(
                "POST", port: port, path: "/api/logout", headers: ["Authorization": "Bearer \(first)"])
            #expect(logout.status == 204)
            let revoked = try await HTTP.request(
                "GET", port: port, path: "/api/me", headers: ["Authorization": "Bearer \(first)"])
            #expect(revoked.status == 401)
            #expect(revoked.errorCode == "token_revoked")
            let again = try await HTTP.request(
                "POST", port: port, path: "/api/logout", headers: ["Authorization": "Bearer \(first)"])
            #expect(again.errorCode == "token_revoked")
            let still = try await HTTP.request(
                "GET", port: port, path: "/api/me", headers: ["Authorization": "Bearer \(second)"])
            #expect(still.status == 200, "logout revokes only its own token")
        }
    }

    @Test(
        "bad registrations, wrong passwords and bad tokens get specific JSON errors",
        arguments: await TestDatabase.available)
    func refusals(database: TestDatabase) async throws {
        try await TestServer.with(database: database) { port, _ in
            _ = try await AccountTestClient.register(port: port, "alice")
            func post(_ path: String, _ json: [String: Any]) async throws -> HTTP.Response {
                try await HTTP.request("POST", port: port, path: path, json: json)
            }
            let duplicate = try await post("/api/register", ["name": "ALICE", "password": "another one"])
            #expect(duplicate.status == 409)
            #expect(duplicate.errorCode == "name_taken")
            for name in ["x'; DROP TABLE accounts; --", "<b>bob</b>", "", String(repeating: "a", count: 33)] {
                let refused = try await post("/api/register", ["name": name, "password": "long enough"])
                #expect(refused.status == 400, "name \(name)")
                #expect(refused.errorCode == "invalid_name", "name \(name)")
            }
            let short = try await post("/api/register", ["name": "bob", "password": "short"])
            #expect(short.errorCode == "invalid_password")
            let tooLong = try await post(
                "/api/register", ["name": "bob", "password": String(repeating: "p", count: 73)])
            #expect(tooLong.errorCode == "invalid_password")
            let badJSON = try await HTTP.request("POST", port: port, path: "/api/login", rawBody: "{name: alice")
            #expect(badJSON.status == 400)
            #expect(badJSON.errorCode == "bad_json")
            let missing = try await post("/api/login", ["name": "alice"])
            #expect(missing.errorCode == "invalid_field")

            let wrong = try await post("/api/login", ["name": "alice", "password": "wrong password"])
            #expect(wrong.status == 401)
            #expect(wrong.errorCode == "invalid_credentials")
            #expect(wrong.headers["content-type"]?.hasPrefix("application/json") == true)
            let unknown = try await post("/api/login", ["name": "nobody", "password": "wrong password"])
            #expect(unknown.errorCode == "invalid_credentials", "unknown names look like wrong passwords")

            let token = try await AccountTestClient.login(port: port, "alice")
            let tampered = String(token.dropLast()) + (token.last == "A" ? "B" : "A")
            let cases: [(headers: [String: String], code: String)] = [
                ([:], "missing_token"),
                (["Authorization": "Bearer \(tampered)"], "invalid_token"),
                (["Authorization": "Bearer ' OR 1=1 --"], "invalid_token"),
                (["Authorization": "Basic YWxpY2U6eA=="], "invalid_token"),
            ]
            for (headers, code) in cases {
                let response = try await HTTP.request("GET", port: port, path: "/api/me", headers: headers)
                #expect(response.status == 401)
                #expect(response.errorCode == code, "\(headers)")
            }

            let client = try await TestChatClient.connect(port: port, name: "tamperer")
            try await client.send(["type": "hello", "token": tampered])
            let error = try await client.expect("error")
            #expect(error.string("code") == "invalid_token")
            try await client.hello("guest1")  // the session stays usable
            await client.close()
        }
    }

    @Test("an expired token is refused on HTTP and in hello", arguments: await TestDatabase.available)
    func expiredToken(database: TestDatabase) async throws {
        var configuration = ServerConfigurationFactory.make()
        configuration.accounts.tokenLifetime = .zero
        try await TestServer.with(configuration, database: database) { port, _ in
            let token = try await AccountTestClient.register(port: port, "alice")
            let me = try await HTTP.request(
                "GET", port: port, path: "/api/me", headers: ["Authorization": "Bearer \(token)"])
            #expect(me.status == 401)
            #expect(me.errorCode == "token_expired")
            let client = try await TestChatClient.connect(port: port, name: "late")
            try await client.send(["type": "hello", "token": token])
            let error = try await client.expect("error")
            #expect(error.string("code") == "token_expired")
            #expect(error.string("message")?.contains("log in again") == true)
            await client.close()
        }
    }

    @Test("hello with a token signs in; guests cannot take registered names", arguments: await TestDatabase.available)
    func helloWithToken(database: TestDatabase) async throws {
        try await TestServer.with(database: database) { port, _ in
            let token = try await AccountTestClient.register(port: port, "alice")
            let alice = try await TestChatClient.connect(port: port, name: "alice")
            let welcome = try await alice.hello(token: token)
            #expect(welcome.string("user") == "alice")
            #expect(welcome["registered"] as? Bool == true)
            // A second device of the same account is welcome too.
            let tablet = try await TestChatClient.connect(port: port, name: "alice-tablet")
            try await tablet.hello(token: token)

            for nick in ["alice", "ALICE", "Alice"] {
                let guest = try await TestChatClient.connect(port: port, name: "guest")
                try await guest.send(["type": "hello", "nick": nick])
                let error = try await guest.expect("error")
                #expect(error.string("code") == "name_reserved", "nick \(nick)")
                let welcome = try await guest.hello("carol-\(nick.count)-\(nick.first!)")
                #expect(welcome["registered"] as? Bool == false)
                #expect(welcome["unread"] == nil)
                await guest.close()
            }
            for client in [alice, tablet] { await client.close() }
        }
    }

    @Test("--require-auth refuses guests but not accounts", arguments: await TestDatabase.available)
    func requireAuth(database: TestDatabase) async throws {
        var configuration = ServerConfigurationFactory.make()
        configuration.accounts.requireAuth = true
        try await TestServer.with(configuration, database: database) { port, _ in
            let token = try await AccountTestClient.register(port: port, "alice")
            let guest = try await TestChatClient.connect(port: port, name: "guest")
            try await guest.send(["type": "hello", "nick": "carol"])
            let error = try await guest.expect("error")
            #expect(error.string("code") == "auth_required")
            try await guest.hello(token: token)
            await guest.close()
        }
    }

    @Test(
        "logins are rate-limited per name and per address with 429 and a JSON body",
        arguments: await TestDatabase.available)
    func loginRateLimit(database: TestDatabase) async throws {
        var configuration = ServerConfigurationFactory.make()
        configuration.accounts.perName = .init(burst: 3, perMinute: 0.001)
        configuration.accounts.perAddress = .init(burst: 8, perMinute: 0.001)
        try await TestServer.with(configuration, database: database) { port, _ in
            _ = try await AccountTestClient.register(port: port, "alice")  // address attempt 1
            for _ in 0..<3 {  // address attempts 2...4, name attempts 1...3
                let wrong = try await HTTP.request(
                    "POST", port: port, path: "/api/login", json: ["name": "alice", "password": "guess guess"])
                #expect(wrong.errorCode == "invalid_credentials")
            }
            let limited = try await HTTP.request(  // address attempt 5
                "POST", port: port, path: "/api/login", json: ["name": "alice", "password": "correct horse"])
            #expect(limited.status == 429)
            #expect(limited.errorCode == "rate_limited")
            #expect(Int(limited.headers["retry-after"] ?? "") ?? 0 >= 1)
            _ = try await AccountTestClient.register(port: port, "bob")  // address attempt 6
            _ = try await AccountTestClient.login(port: port, "bob")  // 7: another name is not limited
            _ = try await AccountTestClient.login(port: port, "bob")  // 8
            let address = try await HTTP.request(  // 9: the address is out of attempts
                "POST", port: port, path: "/api/login", json: ["name": "bob", "password": "correct horse"])
            #expect(address.status == 429)
            #expect(address.errorCode == "rate_limited")
        }
    }

    @Test(
        "DMs to an offline registered user are stored, counted and delivered at their next sign-in",
        arguments: await TestDatabase.available)
    func offlineDirectMessages(database: TestDatabase) async throws {
        try await TestServer.with(database: database) { port, _ in
            let bobToken = try await AccountTestClient.register(port: port, "bob")
            let alice = try await TestChatClient.connect(port: port, name: "alice")
            try await alice.hello("alice")
            try await alice.send(["type": "send", "to": "bob", "text": "are you there?", "cid": "o1"])
            // The sender's own sessions get a copy of the DM, then the ack.
            let ack = try await alice.expect("ack", skipping: ["message"])
            #expect(ack.int("seq") == 1)
            try await alice.send(["type": "send", "to": "bob", "text": "<i>ping</i>", "cid": "o2"])
            #expect(try await alice.expect("ack", skipping: ["message"]).int("seq") == 2)
            try await alice.send(["type": "send", "to": "nobody", "text": "hello?", "cid": "o3"])
            let offline = try await alice.expect("error", skipping: ["message"])
            #expect(offline.string("code") == "user_offline", "guests still need to be online")

            let bob = try await TestChatClient.connect(port: port, name: "bob")
            let welcome = try await bob.hello(token: bobToken)
            let unread = try #require(welcome["unread"] as? [[String: Any]])
            #expect(unread.count == 1)
            #expect(unread.first?["peer"] as? String == "alice")
            #expect((unread.first?["count"] as? NSNumber)?.intValue == 2)
            #expect((unread.first?["lastSeq"] as? NSNumber)?.intValue == 2)
            #expect((unread.first?["readSeq"] as? NSNumber)?.intValue == 0)
            // Delivered right after `welcome`, without asking: every message after the read position.
            let delivered = try await bob.expect("history", skipping: [])
            #expect(delivered.string("peer") == "alice")
            #expect(delivered["hasMore"] as? Bool == false)
            #expect(
                (delivered["messages"] as? [[String: Any]])?.compactMap { $0["text"] as? String } == [
                    "<i>ping</i>", "are you there?",
                ])
            #expect((delivered["messages"] as? [[String: Any]])?.compactMap { $0["to"] as? String } == ["bob", "bob"])
            try await bob.send(["type": "read", "peer": "alice", "seq": 1])
            let receipt = try await alice.expect("receipt", skipping: ["message"])
            #expect(receipt.string("user") == "bob")
            #expect(receipt.int("seq") == 1)
            await bob.close()

            // Half read: the next sign-in delivers only what is still unread.
            let bobSecond = try await TestChatClient.connect(port: port, name: "bob")
            let second = try await bobSecond.hello(token: bobToken)
            #expect(((second["unread"] as? [[String: Any]])?.first?["count"] as? NSNumber)?.intValue == 1, "\(second)")
            let rest = try await bobSecond.expect("history", skipping: [])
            #expect((rest["messages"] as? [[String: Any]])?.compactMap { $0["text"] as? String } == ["<i>ping</i>"])
            #expect(rest["hasMore"] as? Bool == true, "the read message is older history")
            try await bobSecond.send(["type": "read", "peer": "alice", "seq": 2])
            #expect(try await alice.expect("receipt", skipping: ["message"]).int("seq") == 2)
            await bobSecond.close()

            let bobAgain = try await TestChatClient.connect(port: port, name: "bob")
            let later = try await bobAgain.hello(token: bobToken)
            #expect((later["unread"] as? [Any])?.isEmpty == true, "read messages are no longer unread: \(later)")
            #expect(try await bobAgain.sync().isEmpty, "nothing is delivered again once read")
            for client in [alice, bobAgain] { await client.close() }
        }
    }
}
