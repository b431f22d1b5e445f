import ChatCore
import ChatServer
import ChatStore
import Foundation
import Testing

/// Search over HTTP (`GET /api/search`) on a real server: results, snippets, pages, refusals, and
/// privacy (a private room's messages never reach a guest or a non-member).
@Suite("Search over /api", .timeLimit(.minutes(2)))
struct SearchAPITests {
    static func withServer(
        _ database: TestDatabase, configuration: ServerConfiguration = ServerConfigurationFactory.make(),
        _ body: @Sendable @escaping (_ port: Int, _ store: any DatabaseURL.DurableStore) async throws -> Void
    ) async throws {
        try await database.with { location in
            let opened = try location.open()
            let store = try #require(opened as? any DatabaseURL.DurableStore)
            try await TestServer.with(configuration, store: opened) { port, _ in try await body(port, store) }
        }
    }

    static func bearer(_ token: String?) -> [String: String] { token.map { ["Authorization": "Bearer \($0)"] } ?? [:] }

    static func post(
        _ store: any DatabaseURL.DurableStore, _ conversation: Conversation, _ text: String, from: String = "alice"
    )
        async throws
    {
        _ = try await store.append(
            MessageDraft(
                conversation: conversation, from: from, text: text, clientID: UUID().uuidString, timestamp: 1_000))
    }

    static func results(_ response: HTTP.Response) -> [[String: Any]] { response["results"] as? [[String: Any]] ?? [] }

    static func texts(_ response: HTTP.Response) -> [String] { results(response).compactMap { $0["text"] as? String } }

    static func search(_ port: Int, _ query: String, token: String? = nil) async throws -> HTTP.Response {
        try await HTTP.request("GET", port: port, path: "/api/search?" + query, headers: bearer(token))
    }

    static func q(_ text: String) -> String {
        let ascii = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return "q=" + text.addingPercentEncoding(withAllowedCharacters: ascii)!
    }

    @Test(
        "results newest first with their conversation and marked snippet, pages by `next`, JSON refusals",
        arguments: await TestDatabase.available)
    func resultsAndPages(database: TestDatabase) async throws {
        try await Self.withServer(database) { port, store in
            let alice = try await AccountTestClient.register(port: port, "alice")
            _ = try await AccountTestClient.register(port: port, "bob")
            for n in 1...5 { try await Self.post(store, .room("Lobby"), "<b>hello</b> number \(n)") }
            try await Self.post(store, .direct(between: "alice", and: "bob"), "hello alice", from: "bob")

            let first = try await Self.search(port, Self.q("HELLO") + "&limit=2", token: alice)
            #expect(first.status == 200)
            #expect(Self.texts(first) == ["hello alice", "<b>hello</b> number 5"])
            let dm = try #require(Self.results(first).first)
            #expect(dm["peer"] as? String == "bob")
            #expect(dm["room"] == nil)
            #expect(dm["from"] as? String == "bob")
            #expect(dm["seq"] as? Int == 1)
            #expect(dm["id"] is String && dm["ts"] as? Int == 1_000)
            let room = Self.results(first)[1]
            #expect(room["room"] as? String == "Lobby")
            let snippet = try #require(room["snippet"] as? [[String: Any]])
            let excerpt = snippet.compactMap { $0["text"] as? String }.joined()
            #expect(
                excerpt.contains("hello</b> number 5"),
                "the snippet is plain text, markup included verbatim: \(excerpt)")
            #expect(snippet.filter { $0["match"] as? Bool == true }.compactMap { $0["text"] as? String } == ["hello"])
            let next = try #require(first["next"] as? String)

            let second = try await Self.search(port, Self.q("hello") + "&limit=3&before=\(next)", token: alice)
            #expect(Self.texts(second) == (2...4).reversed().map { "<b>hello</b> number \($0)" })
            let last = try await Self.search(
                port, Self.q("hello") + "&limit=3&before=\(try #require(second["next"] as? String))", token: alice)
            #expect(Self.texts(last) == ["<b>hello</b> number 1"])
            #expect(last["next"] == nil, "the last page has no next")

            let guest = try await Self.search(port, Self.q("hello"))
            #expect(guest.status == 200)
            #expect(Self.texts(guest).count == 5, "a guest searches public rooms, never DMs")
            let inRoom = try await Self.search(port, Self.q("number 3") + "&room=lobby")
            #expect(Self.texts(inRoom) == ["<b>hello</b> number 3"])
            try await Self.post(store, .room("Lobby"), "我们明天开会 🎉")
            let cjk = try await Self.search(port, Self.q("明天"))
            #expect(Self.texts(cjk) == ["我们明天开会 🎉"], "a CJK word inside a run")
            let party = try await Self.search(port, Self.q("🎉"))
            #expect(party.status == 200, "an emoji alone is a query")
            #expect(Self.texts(party) == ["我们明天开会 🎉"])
            let marked = try #require(Self.results(party).first?["snippet"] as? [[String: Any]])
            #expect(marked.filter { $0["match"] as? Bool == true }.compactMap { $0["text"] as? String } == ["🎉"])

            for (query, code) in [
                ("", "invalid_query"), ("q=", "invalid_query"), ("q=%20%20", "invalid_query"),
                (Self.q(String(repeating: "a", count: 201)), "invalid_query"), (Self.q("© !! --"), "invalid_query"),
                (Self.q((1...17).map { "w\($0)" }.joined(separator: " ")), "invalid_query"),
                (Self.q("hello") + "&limit=0", "invalid_field"), (Self.q("hello") + "&limit=abc", "invalid_field"),
                (Self.q("hello") + "&limit=101", "invalid_field"), (Self.q("hello") + "&before=abc", "invalid_field"),
                (Self.q("hello") + "&before=0", "invalid_field"), (Self.q("hello") + "&room=no%27room", "invalid_room"),
            ] {
                let refused = try await Self.search(port, query)
                #expect(refused.status == 400, "\(query)")
                #expect(refused.errorCode == code, "\(query)")
            }
            #expect(try await Self.search(port, Self.q(String(repeating: "a", count: 200))).status == 200)
            let badToken = try await Self.search(port, Self.q("hello"), token: "nonsense")
            #expect(badToken.status == 401, "a token that is sent is always checked")
        }
    }

    @Test(
        "a private room's messages never reach a guest or a non-member, by any query",
        arguments: await TestDatabase.available)
    func privacy(database: TestDatabase) async throws {
        try await Self.withServer(database) { port, store in
            let alice = try await AccountTestClient.register(port: port, "alice")
            let bob = try await AccountTestClient.register(port: port, "bob")
            let carol = try await AccountTestClient.register(port: port, "carol")
            _ = try await store.createRoom(Room(name: "Secret", visibility: .private, creator: "alice", createdAt: 1))
            try await store.invite("bob", to: "secret", by: .user("alice"), now: 2)
            _ = try await store.join(room: "secret", user: "bob", now: 3)
            for n in 1...3 { try await Self.post(store, .room("Secret"), "launch code 424242 part \(n)") }
            try await Self.post(store, .room("lobby"), "launch party tonight")

            for token in [alice, bob] {
                let member = try await Self.search(port, Self.q("launch"), token: token)
                #expect(Self.texts(member).count == 4)
            }
            for token in [nil, carol] {
                for query in [Self.q("launch"), Self.q("424242"), Self.q("launch") + "&limit=1", Self.q("code part")] {
                    let response = try await Self.search(port, query, token: token)
                    #expect(response.status == 200)
                    #expect(!response.body.contains("424242"), "\(query)")
                    #expect(Self.texts(response).allSatisfy { $0 == "launch party tonight" })
                    #expect(response["next"] == nil, "no page hints at hidden messages")
                }
                let scoped = try await Self.search(port, Self.q("launch") + "&room=secret", token: token)
                #expect(scoped.status == (token == nil ? 401 : 403))
                #expect(scoped.errorCode == (token == nil ? "missing_token" : "forbidden"))
                #expect(!scoped.body.contains("424242"))
            }
        }
    }

    @Test("under --require-auth a search needs a token", arguments: await TestDatabase.available)
    func requireAuth(database: TestDatabase) async throws {
        var configuration = ServerConfigurationFactory.make()
        configuration.accounts.requireAuth = true
        try await Self.withServer(database, configuration: configuration) { port, store in
            let alice = try await AccountTestClient.register(port: port, "alice")
            try await Self.post(store, .room("lobby"), "members only")
            let anonymous = try await Self.search(port, Self.q("members"))
            #expect(anonymous.status == 401)
            #expect(anonymous.errorCode == "missing_token")
            #expect(Self.texts(try await Self.search(port, Self.q("members"), token: alice)) == ["members only"])
        }
    }
}
