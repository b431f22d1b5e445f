import ChatCore
import Foundation
import TestSupport
import Testing

/// Moderation and blocks over real sockets and real stores: a server on SQLite or PostgreSQL in
/// this process, and two `rabbitchat serve` processes sharing RabbitMQ and PostgreSQL.
@Suite("Moderation over /ws", .timeLimit(.minutes(3)))
struct ModerationTests {
    @Test(
        "a blocked user's DMs are refused `blocked`; every session gets the new list; welcome lists it; unblock lets DMs through",
        arguments: await TestDatabase.available)
    func blocks(database: TestDatabase) async throws {
        try await TestServer.with(database: database) { port, _ in
            let alice = MultiNodeCluster.unique("alice")
            let mallory = MultiNodeCluster.unique("mallory")
            let aliceToken = try await AccountTestClient.register(port: port, alice)
            let malloryToken = try await AccountTestClient.register(port: port, mallory)
            let tab1 = try await TestChatClient.connect(port: port, name: "alice-1")
            try await tab1.hello(token: aliceToken)
            let tab2 = try await TestChatClient.connect(port: port, name: "alice-2")
            try await tab2.hello(token: aliceToken)
            let spammer = try await TestChatClient.connect(port: port, name: "mallory")
            try await spammer.hello(token: malloryToken)

            try await tab1.send(["type": "block", "user": mallory])
            #expect(try await tab1.expect("blocks").json["users"] as? [String] == [mallory])
            #expect(try await tab2.expect("blocks").json["users"] as? [String] == [mallory], "the other tab too")

            try await spammer.send(["type": "send", "to": alice, "text": "buy now", "cid": "s1"])
            let refused = try await spammer.expect("error")
            #expect(refused.string("code") == "blocked")
            #expect(refused.string("cid") == "s1")
            try await tab1.send(["type": "history", "peer": mallory])
            let history = try await tab1.expect("history")
            #expect(!history.raw.contains("buy now"), "a refused DM is not stored")

            let fresh = try await TestChatClient.connect(port: port, name: "alice-3")
            let welcome = try await fresh.hello(token: aliceToken)
            #expect(welcome.json["blocked"] as? [String] == [mallory])

            try await tab1.send(["type": "unblock", "user": mallory])
            #expect(try await tab1.expect("blocks").json["users"] as? [String] == [])
            try await spammer.send(["type": "send", "to": alice, "text": "sorry", "cid": "s2"])
            #expect(try await spammer.expect("ack", skipping: ["message"]).string("cid") == "s2")
            for client in [tab1, tab2, spammer, fresh] { await client.close() }
        }
    }
}

extension ModerationTests {
    @Test(
        "a server admin is told so in welcome, sees a room's bans in room_info and deletes any message; a member does neither"
    )
    func adminPowers() async throws {
        let store = InMemoryMessageStore()
        try await TestServer.with(store: store) { port, _ in
            let rootToken = try await AccountTestClient.register(port: port, "root")
            #expect(try await store.setAdmin(true, name: "root"))
            let carolToken = try await AccountTestClient.register(port: port, "carol")
            let carol = try await TestChatClient.connect(port: port, name: "carol")
            let carolWelcome = try await carol.hello(token: carolToken)
            #expect(carolWelcome.json["admin"] == nil)
            try await carol.send(["type": "room_create", "room": "den"])
            _ = try await carol.expect("room")
            try await carol.join("den")
            try await carol.send(["type": "ban", "room": "den", "user": "mallory", "reason": "spam"])
            _ = try await carol.expect("member", skipping: ["message", "presence"])
            try await carol.send(["type": "send", "room": "den", "text": "carol's words", "cid": "c1"])
            let ack = try await carol.expect("ack", skipping: ["message", "presence"])

            let root = try await TestChatClient.connect(port: port, name: "root")
            let welcome = try await root.hello(token: rootToken)
            #expect(welcome.json["admin"] as? Bool == true)
            try await root.send(["type": "room_info", "room": "den"])
            let info = try await root.expect("room")
            #expect(
                (info.json["bans"] as? [[String: Any]])?.map { $0["user"] as? String } == ["mallory"], "\(info.raw)")
            try await root.join("den")
            try await root.send(["type": "delete", "room": "den", "seq": ack.int("seq") ?? 0, "cid": "r1"])
            #expect(try await root.expect("ack", skipping: ["message", "presence", "update"]).string("cid") == "r1")
            await root.close()
            await carol.close()
        }
    }
}

/// A ban made on one `rabbitchat serve` process is enforced on the other at once, through
/// RabbitMQ, with rooms in PostgreSQL.
@Suite("Moderation across server processes", MultiNodeCluster.required, .serialized, .timeLimit(.minutes(3)))
struct MultiNodeModerationTests {
    @Test("an owner on node 0 bans a user on node 1: event, `left`, refused send and rejoin, on that node")
    func banAcrossProcesses() async throws {
        try await MultiNodeCluster.with(nodes: 2) { nodes in
            let room = MultiNodeCluster.unique("den")
            let ownerName = MultiNodeCluster.unique("owner")
            let malloryName = MultiNodeCluster.unique("mallory")
            let token = try await AccountTestClient.register(port: nodes[0].port, ownerName)
            let owner = try await TestChatClient.connect(port: nodes[0].port, name: "owner")
            try await owner.hello(token: token)
            try await owner.send(["type": "room_create", "room": room, "visibility": "public"])
            #expect(try await owner.expect("room").string("role") == "owner")
            try await owner.join(room)
            let mallory = try await TestChatClient.connect(port: nodes[1].port, name: "mallory")
            try await mallory.hello(malloryName)
            try await mallory.join(room)

            try await owner.send(["type": "ban", "room": room, "user": malloryName, "reason": "spam"])
            #expect(try await owner.expect("member", skipping: ["presence", "message"]).string("change") == "banned")
            let event = try await mallory.expect("message", skipping: ["presence"])
            #expect((event.json["event"] as? [String: Any])?["action"] as? String == "ban")
            let left = try await mallory.expect("left", skipping: ["presence"])
            #expect(left.string("reason") == "banned")
            #expect(left.string("by") == ownerName)

            try await mallory.send(["type": "send", "room": room, "text": "hello?", "cid": "m1"])
            #expect(try await mallory.expect("error").string("code") == "not_member")
            try await mallory.send(["type": "join", "room": room])
            #expect(try await mallory.expect("error").string("code") == "banned")
            // The history API of the other node says what happened, from PostgreSQL.
            let page = try await HTTP.request("GET", port: nodes[1].port, path: "/api/rooms/\(room)/messages")
            #expect(page.body.contains("\"action\":\"ban\""), "\(page.body)")
            await owner.close()
            await mallory.close()
        }
    }
}

/// A user's read position is the server's, for every device: a `read` from one session clears
/// the others' badges (`read_state`), and `joined` tells a new session where the user stopped.
@Suite("Read state across devices over /ws", .timeLimit(.minutes(2)))
struct ReadStateTests {
    /// `room`'s entry in the `welcome` of a new session signed in with `token`: its unread and
    /// mention counts as the server keeps them.
    static func welcomeEntry(of room: String, port: Int, token: String) async throws -> [String: Any]? {
        let device = try await TestChatClient.connect(port: port, name: "device")
        let welcome = try await device.hello(token: token)
        await device.close()
        return (welcome.json["rooms"] as? [[String: Any]])?.first { ($0["name"] as? String) == room }
    }

    @Test(
        "a read in one tab sends the other tabs read_state; a later join carries readSeq; a DM read too",
        arguments: await TestDatabase.available)
    func readStateAcrossSessions(database: TestDatabase) async throws {
        try await TestServer.with(database: database) { port, _ in
            let alice = MultiNodeCluster.unique("alice")
            let room = MultiNodeCluster.unique("room")
            let token = try await AccountTestClient.register(port: port, alice)
            let phone = try await TestChatClient.connect(port: port, name: "phone")
            try await phone.hello(token: token)
            let laptop = try await TestChatClient.connect(port: port, name: "laptop")
            try await laptop.hello(token: token)
            let firstJoin = try await phone.join(room)
            #expect(firstJoin.int("readSeq") == 0)
            try await laptop.join(room)
            let bobName = MultiNodeCluster.unique("bob")
            let bob = try await TestChatClient.connect(port: port, name: "bob")
            try await bob.hello(bobName)
            try await bob.join(room)
            for cid in ["b1", "b2"] {
                try await bob.send(["type": "send", "room": room, "text": "news \(cid)", "cid": cid])
                _ = try await bob.expect("ack", skipping: ["message", "presence"])
            }
            try await phone.send(["type": "read", "room": room, "seq": 2])
            let cleared = try await laptop.expect("read_state", skipping: ["message", "presence", "receipt"])
            #expect(cleared.string("room") == room)
            #expect(cleared.int("seq") == 2)
            // The session that read gets no read_state of its own.
            let phoneFrames = try await phone.sync()
            #expect(!phoneFrames.contains { $0.type == "read_state" })

            let tablet = try await TestChatClient.connect(port: port, name: "tablet")
            try await tablet.hello(token: token)
            let tabletJoined = try await tablet.join(room)
            #expect(tabletJoined.int("readSeq") == 2)
            // Who read how far comes with `joined`, so a reload still shows receipts.
            let reads = tabletJoined.json["reads"] as? [[String: Any]]
            #expect(reads?.map { $0["user"] as? String } == [alice])
            #expect(reads?.first?["seq"] as? Int == 2)
            #expect(tabletJoined.json["readsComplete"] as? Bool == true)
            // Guests get no readSeq.
            let guestJoin = try await TestChatClient.connect(port: port, name: "guest")
            try await guestJoin.hello(MultiNodeCluster.unique("guest"))
            #expect(try await guestJoin.join(room).int("readSeq") == nil)

            // A DM read clears the other tabs' DM badge.
            try await bob.send(["type": "send", "to": alice, "text": "psst", "cid": "b3"])
            _ = try await bob.expect("ack", skipping: ["message", "presence", "receipt"])
            _ = try await laptop.expect("message", skipping: ["presence", "receipt", "read_state"])
            try await laptop.send(["type": "read", "peer": bobName, "seq": 1])
            let dmCleared = try await phone.expect("read_state", skipping: ["message", "presence", "receipt"])
            #expect(dmCleared.string("peer") == bobName)
            #expect(dmCleared.int("seq") == 1)
            for client in [phone, laptop, bob, tablet, guestJoin] { await client.close() }
        }
    }

    @Test(
        "welcome reports each stored room's unread and mention counts from the server's read position",
        arguments: await TestDatabase.available)
    func welcomeCounts(database: TestDatabase) async throws {
        try await TestServer.with(database: database) { port, _ in
            let alice = MultiNodeCluster.unique("alice")
            let room = MultiNodeCluster.unique("room")
            let token = try await AccountTestClient.register(port: port, alice)
            let first = try await TestChatClient.connect(port: port, name: "first")
            try await first.hello(token: token)
            try await first.join(room)
            let bob = try await TestChatClient.connect(port: port, name: "bob")
            try await bob.hello(MultiNodeCluster.unique("bob"))
            try await bob.join(room)
            for (cid, text) in [("b1", "one"), ("b2", "two"), ("b3", "hey @\(alice), look")] {
                try await bob.send(["type": "send", "room": room, "text": text, "cid": cid])
                _ = try await bob.expect("ack", skipping: ["message", "presence"])
            }
            try await first.send(["type": "send", "room": room, "text": "mine do not count", "cid": "a1"])
            _ = try await first.expect("ack", skipping: ["message", "presence"])
            await first.close()

            var counts = try #require(try await Self.welcomeEntry(of: room, port: port, token: token))
            #expect(counts["unread"] as? Int == 3)
            #expect(counts["mentions"] as? Int == 1)
            #expect(counts["readSeq"] as? Int == 0)
            #expect(counts["lastSeq"] as? Int == 4)

            let reader = try await TestChatClient.connect(port: port, name: "reader")
            try await reader.hello(token: token)
            try await reader.join(room)
            try await reader.send(["type": "read", "room": room, "seq": 2])
            _ = try await reader.sync()
            await reader.close()
            counts = try #require(try await Self.welcomeEntry(of: room, port: port, token: token))
            #expect(counts["unread"] as? Int == 1)
            #expect(counts["mentions"] as? Int == 1)
            #expect(counts["readSeq"] as? Int == 2)
            await bob.close()
        }
    }

    @Test(
        "a mention of a registered user who is offline is resolved and counted at their next sign-in",
        arguments: await TestDatabase.available)
    func offlineMentionCounts(database: TestDatabase) async throws {
        try await TestServer.with(database: database) { port, _ in
            let alice = MultiNodeCluster.unique("alice")
            let room = MultiNodeCluster.unique("room")
            let token = try await AccountTestClient.register(port: port, alice)
            let first = try await TestChatClient.connect(port: port, name: "first")
            try await first.hello(token: token)
            try await first.join(room)
            await first.close()

            let bob = try await TestChatClient.connect(port: port, name: "bob")
            try await bob.hello(MultiNodeCluster.unique("bob"))
            try await bob.join(room)
            try await bob.send(["type": "send", "room": room, "text": "@\(alice) are you there?", "cid": "b1"])
            let echoed = try await bob.expect("message", skipping: ["presence", "ack"])
            #expect(echoed.json["mentions"] as? [String] == [alice], "resolved although alice is offline")
            await bob.close()

            let counts = try #require(try await Self.welcomeEntry(of: room, port: port, token: token))
            #expect(counts["unread"] as? Int == 1)
            #expect(counts["mentions"] as? Int == 1)
        }
    }

}
