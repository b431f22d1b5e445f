import ChatCore
import ChatServer
import Foundation
import Synchronization
import Testing

/// A server restarted on the same database keeps history, accounts, tokens, read receipts and
/// unread counts: each phase builds a new node on a newly opened store (for PostgreSQL a new
/// client, run by the node's service group), as a restarted process does.
@Suite("Persistence across restarts", .timeLimit(.minutes(3)))
struct PersistenceTests {
    static let texts = [
        "'); DROP TABLE messages; --",
        "<script>alert('x')</script> & <b>bold</b>",
        "plain 🐇",
    ]

    @Test("history, accounts, receipts and unread counts survive a restart", arguments: await TestDatabase.available)
    func survivesRestart(database: TestDatabase) async throws {
        try await database.with { location in try await Self.restartScenario(location) }
    }

    static func restartScenario(_ path: TestDatabase.Location) async throws {

        struct Phase1: Sendable {
            var bobToken: String
            var epoch: String
        }
        // Phase 1: accounts, room messages with awkward texts, a DM to bob while he is away.
        let phase1: Phase1 = try await Self.withServer(path: path) { port in
            let aliceToken = try await AccountTestClient.register(port: port, "alice")
            let bobToken = try await AccountTestClient.register(port: port, "bob")
            let alice = try await TestChatClient.connect(port: port, name: "alice")
            try await alice.hello(token: aliceToken)
            let joined = try await alice.join("lobby")
            for (n, text) in Self.texts.enumerated() {
                try await alice.send(["type": "send", "room": "lobby", "text": text, "cid": "r\(n)"])
                _ = try await alice.expect("ack", skipping: ["presence", "message"])
            }
            try await alice.send(["type": "send", "to": "bob", "text": "see <this> later", "cid": "dm1"])
            #expect(try await alice.expect("ack", skipping: ["presence", "message"]).int("seq") == 1)
            try await alice.send(["type": "read", "room": "lobby", "seq": 2])
            _ = try await alice.sync()
            await alice.close()
            return Phase1(bobToken: bobToken, epoch: try #require(joined.string("epoch")))
        }

        // Phase 2: a new node on the same file.
        try await Self.withServer(path: path) { port in
            _ = try await AccountTestClient.login(port: port, "alice")  // the password survived
            let bob = try await TestChatClient.connect(port: port, name: "bob")
            let welcome = try await bob.hello(token: phase1.bobToken)  // and so did the token
            let unread = try #require(welcome["unread"] as? [[String: Any]], "\(welcome)")
            #expect(unread.map { $0["peer"] as? String } == ["alice"])
            #expect((unread.first?["count"] as? NSNumber)?.intValue == 1)
            let delivered = try await bob.expect("history", skipping: [])
            #expect(
                (delivered["messages"] as? [[String: Any]])?.compactMap { $0["text"] as? String } == [
                    "see <this> later"
                ])

            let joined = try await bob.join("lobby", since: 0)
            #expect(joined.string("epoch") == phase1.epoch, "the epoch is durable")
            #expect(joined["recovered"] as? Bool == true)
            let messages = try #require(joined["messages"] as? [[String: Any]])
            #expect(messages.compactMap { $0["text"] as? String } == Self.texts, "texts come back verbatim")
            #expect(messages.compactMap { $0["from"] as? String } == ["alice", "alice", "alice"])
            #expect(messages.compactMap { ($0["seq"] as? NSNumber)?.intValue } == [1, 2, 3])

            try await bob.send(["type": "history", "peer": "alice"])
            let history = try await bob.expect("history", skipping: ["presence"])
            #expect(
                (history["messages"] as? [[String: Any]])?.compactMap { $0["text"] as? String } == ["see <this> later"])
            try await bob.send(["type": "read", "peer": "alice", "seq": 1])
            _ = try await bob.sync()
            // A new message continues the sequence rather than restarting it.
            try await bob.send(["type": "send", "room": "lobby", "text": "back", "cid": "b1"])
            #expect(try await bob.expect("ack", skipping: ["presence", "message", "receipt"]).int("seq") == 4)
            await bob.close()
        }

        // Phase 3: read positions survived too; `joined` and `welcome` show them.
        try await Self.withServer(path: path) { port in
            let bob = try await TestChatClient.connect(port: port, name: "bob")
            let welcome = try await bob.hello(token: phase1.bobToken)
            #expect((welcome["unread"] as? [Any])?.isEmpty == true, "\(welcome)")
            let joined = try await bob.join("lobby", since: 3)
            #expect(joined["recovered"] as? Bool == true)
            #expect((joined["messages"] as? [[String: Any]])?.compactMap { $0["text"] as? String } == ["back"])
            // Alice's room receipt (seq 2) was stored: her next `read` of 1 cannot move it back.
            let alice = try await TestChatClient.connect(port: port, name: "alice")
            try await alice.hello(token: try await AccountTestClient.login(port: port, "alice"))
            try await alice.join("lobby")
            try await alice.send(["type": "read", "room": "lobby", "seq": 1])
            let receipt = try await bob.expect("receipt", skipping: ["presence"])
            #expect(receipt.string("user") == "alice")
            #expect(receipt.int("seq") == 2, "the persisted read position never moves back")
            for client in [alice, bob] { await client.close() }
        }
    }

    /// Runs a server on a newly opened store at `path`.
    static func withServer<T: Sendable>(
        path: TestDatabase.Location, _ body: @Sendable (Int) async throws -> T
    ) async throws -> T {
        let store = try path.open()
        let result = Mutex<T?>(nil)
        try await TestServer.with(ServerConfigurationFactory.make(), store: store) { port, _ in
            let value = try await body(port)
            result.withLock { $0 = value }
        }
        return try #require(result.withLock { $0 })
    }
}
