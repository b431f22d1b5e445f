import ChatCore
import ChatServer
import Foundation
import Testing

/// A bot over `/ws` with its token, like any client, with its scope enforced on every frame.
@Suite("Bots over /ws", .timeLimit(.minutes(3)))
struct BotWebSocketTests {
    @Test(
        "a reading bot joins and posts in its rooms only; a posting-only bot cannot join; a revoked one cannot say hello",
        arguments: await TestDatabase.available)
    func scopeOnTheSocket(database: TestDatabase) async throws {
        try await BotAPITests.withServer(database: database) { port, _, root, aliceToken in
            let alice = try await TestChatClient.connect(port: port, name: "alice")
            try await alice.hello(token: aliceToken)
            try await alice.join("news")
            try await alice.join("random")
            let readerToken = try await BotAPITests.createBot(
                port: port, admin: root, "reader", rooms: ["news"], read: true)
            let posterToken = try await BotAPITests.createBot(port: port, admin: root, "poster", rooms: ["news"])

            let reader = try await TestChatClient.connect(port: port, name: "reader")
            let welcome = try await reader.hello(token: readerToken)
            #expect(welcome.string("user") == "reader")
            let joined = try await reader.join("NEWS")
            #expect(joined.string("room") == "news")
            try await reader.send(["type": "join", "room": "random"])
            let refusedJoin = try await reader.expect("error", skipping: ["presence"])
            #expect(refusedJoin.string("code") == "forbidden")
            #expect(refusedJoin.string("ref") == "join")
            try await reader.send(["type": "send", "to": "alice", "text": "psst", "cid": "d1"])
            let refusedDM = try await reader.expect("error", skipping: ["presence"])
            #expect(refusedDM.string("code") == "forbidden")
            #expect(refusedDM.string("cid") == "d1")
            try await reader.send(["type": "room_create", "room": "botland"])
            #expect(try await reader.expect("error", skipping: ["presence"]).string("code") == "forbidden")
            try await reader.send(["type": "history", "room": "random"])
            #expect(try await reader.expect("error", skipping: ["presence"]).string("code") == "forbidden")

            try await reader.send(["type": "send", "room": "news", "text": "headline", "cid": "r1"])
            let ack = try await reader.expect("ack", skipping: ["presence", "message"])
            let seen = try await alice.expect("message")
            #expect(seen.string("from") == "reader")
            #expect(seen.int("seq") == ack.int("seq"))
            // What others post reaches the reading bot: its outgoing events.
            try await alice.send(["type": "send", "room": "news", "text": "thanks", "cid": "a1"])
            var heard = try await reader.expect("message", skipping: ["presence", "ack"])
            while heard.string("from") != "alice" { heard = try await reader.expect("message", skipping: ["presence"]) }
            #expect(heard.string("text") == "thanks")

            let poster = try await TestChatClient.connect(port: port, name: "poster")
            try await poster.hello(token: posterToken)
            try await poster.send(["type": "join", "room": "news"])
            let posterJoin = try await poster.expect("error")
            #expect(posterJoin.string("code") == "forbidden", "a bot without read may not join, so it hears nothing")
            try await poster.send(["type": "hello", "token": posterToken, "resume": ["news": 0]])
            #expect(try await poster.expect("error").string("code") == "already_identified")

            let resumer = try await TestChatClient.connect(port: port, name: "resumer")
            try await resumer.send(["type": "hello", "token": posterToken, "resume": ["news": 0]])
            _ = try await resumer.expect("welcome")
            let resumed = try await resumer.expect("error")
            #expect(resumed.string("code") == "forbidden", "a resume is a join, in scope or refused")

            #expect(
                try await HTTP.request(
                    "DELETE", port: port, path: "/api/admin/bots/poster", headers: BotAPITests.bearer(root)
                ).status == 204)
            let revoked = try await TestChatClient.connect(port: port, name: "revoked")
            try await revoked.send(["type": "hello", "token": posterToken])
            #expect(try await revoked.expect("error").string("code") == "token_revoked")
            for client in [alice, reader, poster, resumer, revoked] { await client.close() }
        }
    }
}
