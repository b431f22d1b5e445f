import ChatCore
import ChatServer
import Foundation
import Testing

/// History over HTTP: newest-first pages for rooms, and DMs for their two parties only.
@Suite("History over /api", .timeLimit(.minutes(2)))
struct MessagesAPITests {
    static func seqs(_ response: HTTP.Response) -> [Int] {
        (response["messages"] as? [[String: Any]])?.compactMap { ($0["seq"] as? NSNumber)?.intValue } ?? []
    }

    @Test(
        "room history pages are newest first, with before, limit and a capped limit",
        arguments: await TestDatabase.available)
    func roomHistory(database: TestDatabase) async throws {
        var configuration = ServerConfigurationFactory.make()
        configuration.limits.maxHistoryPage = 3
        try await TestServer.with(configuration, database: database) { port, _ in
            let alice = try await TestChatClient.connect(port: port, name: "alice")
            try await alice.hello("alice", timeout: .seconds(30))
            try await alice.join("news", timeout: .seconds(30))
            for n in 1...5 {
                try await alice.send(["type": "send", "room": "news", "text": "<b>m\(n)</b>", "cid": "n\(n)"])
                // 30 s: the shared phase runs ~450 tests at once against one PostgreSQL.
                _ = try await alice.expect("ack", skipping: ["presence", "message"], timeout: .seconds(30))
            }
            let newest = try await HTTP.request("GET", port: port, path: "/api/rooms/news/messages?limit=2")
            #expect(newest.status == 200)
            #expect(Self.seqs(newest) == [5, 4])
            #expect(newest["hasMore"] as? Bool == true)
            let first = (newest["messages"] as? [[String: Any]])?.first
            #expect(first?["text"] as? String == "<b>m5</b>", "text is returned verbatim, as JSON")
            #expect(first?["from"] as? String == "alice")

            let older = try await HTTP.request("GET", port: port, path: "/api/rooms/news/messages?before=3&limit=3")
            #expect(Self.seqs(older) == [2, 1])
            #expect(older["hasMore"] as? Bool == false)
            let capped = try await HTTP.request("GET", port: port, path: "/api/rooms/news/messages?limit=1000")
            #expect(Self.seqs(capped) == [5, 4, 3], "the limit is capped at the page size")

            let badRoom = try await HTTP.request("GET", port: port, path: "/api/rooms/no%27room/messages")
            #expect(badRoom.status == 400)
            #expect(badRoom.errorCode == "invalid_room")
            let badBefore = try await HTTP.request("GET", port: port, path: "/api/rooms/news/messages?before=0")
            #expect(badBefore.errorCode == "invalid_field")
            let badLimit = try await HTTP.request("GET", port: port, path: "/api/rooms/news/messages?limit=abc")
            #expect(badLimit.errorCode == "invalid_field")
            await alice.close()
        }
    }

    @Test(
        "DM history needs a token and shows only the token holder's conversation",
        arguments: await TestDatabase.available)
    func directHistory(database: TestDatabase) async throws {
        try await TestServer.with(database: database) { port, _ in
            let aliceToken = try await AccountTestClient.register(port: port, "alice")
            let bobToken = try await AccountTestClient.register(port: port, "bob")
            let carolToken = try await AccountTestClient.register(port: port, "carol")
            let alice = try await TestChatClient.connect(port: port, name: "alice")
            try await alice.hello(token: aliceToken)
            try await alice.send(["type": "send", "to": "bob", "text": "secret", "cid": "s1"])
            _ = try await alice.expect("ack", skipping: ["message"])

            for (token, peer) in [(aliceToken, "bob"), (bobToken, "alice")] {
                let page = try await HTTP.request(
                    "GET", port: port, path: "/api/direct/\(peer)/messages",
                    headers: ["Authorization": "Bearer \(token)"])
                #expect(page.status == 200)
                #expect((page["messages"] as? [[String: Any]])?.compactMap { $0["text"] as? String } == ["secret"])
            }
            let carol = try await HTTP.request(
                "GET", port: port, path: "/api/direct/bob/messages", headers: ["Authorization": "Bearer \(carolToken)"])
            #expect(carol.status == 200)
            #expect(Self.seqs(carol).isEmpty, "carol sees her own (empty) conversation with bob, never alice's")
            let anonymous = try await HTTP.request("GET", port: port, path: "/api/direct/bob/messages")
            #expect(anonymous.status == 401)
            #expect(anonymous.errorCode == "missing_token")
            await alice.close()
        }
    }
}
