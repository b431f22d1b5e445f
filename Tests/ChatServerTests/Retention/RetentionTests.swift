import ChatCore
import ChatServer
import Foundation
import Logging
import Testing

/// Retention on a running server over SQLite and PostgreSQL: a client resuming from before the
/// pruned range is told `recovered: false` (PROTOCOL.md), one resuming after it gets exactly
/// what it missed; and the background service prunes each conversation by its own retention.
@Suite("Retention and resume", .timeLimit(.minutes(3)))
struct RetentionTests {
    static let day: Int64 = 86_400_000

    /// Generous: the machine may be loaded (PostgreSQL shared by every test running at once).
    static let patience: Duration = .seconds(30)

    static func hello(_ client: TestChatClient, _ nick: String) async throws {
        try await client.send(["type": "hello", "nick": nick])
        _ = try await client.expect("welcome", timeout: patience)
    }

    static func join(_ client: TestChatClient, _ room: String, since: Int? = nil) async throws -> TestChatClient.Frame {
        var frame: [String: Any] = ["type": "join", "room": room]
        if let since { frame["since"] = since }
        try await client.send(frame)
        return try await client.expect("joined", timeout: patience)
    }

    static func seqs(_ frame: TestChatClient.Frame) -> [Int] {
        ((frame["messages"] as? [[String: Any]]) ?? []).compactMap { ($0["seq"] as? NSNumber)?.intValue }
    }

    @Test(
        "join with since and hello with resume from before the pruned range: recovered false; after it: exact",
        arguments: await TestDatabase.available)
    func resumeAcrossPrunedRange(database: TestDatabase) async throws {
        try await database.with { location in
            let store = try location.open()
            let retention = try #require(store as? any MessageRetention)
            try await TestServer.with(ServerConfigurationFactory.make(), store: store) { port, _ in
                let alice = try await TestChatClient.connect(port: port, name: "alice")
                try await Self.hello(alice, "alice")
                let first = try await Self.join(alice, "lobby")
                for n in 1...5 {
                    try await alice.send(["type": "send", "room": "lobby", "text": "m\(n)", "cid": "c\(n)"])
                    #expect(
                        try await alice.expect("ack", skipping: ["presence", "message"], timeout: Self.patience).int(
                            "seq") == n)
                }
                // Everything is older than an hour from now; a batch of 3 prunes seqs 1…3.
                #expect(
                    try await retention.pruneOldest(
                        of: .room("lobby"), before: ChatClock.wallMillis() + Self.day, limit: 3) == 3)

                let bob = try await TestChatClient.connect(port: port, name: "bob")
                try await Self.hello(bob, "bob")
                let stale = try await Self.join(bob, "lobby", since: 1)
                #expect(stale["recovered"] as? Bool == false, "\(stale.raw)")
                #expect(stale.string("reason") == "history_pruned")
                #expect(stale.string("epoch") == first.string("epoch"), "pruning keeps the epoch: seqs stay valid")
                #expect(Self.seqs(stale) == [4, 5], "the recent messages instead")

                let carol = try await TestChatClient.connect(port: port, name: "carol")
                try await Self.hello(carol, "carol")
                let exact = try await Self.join(carol, "lobby", since: 3)
                #expect(exact["recovered"] as? Bool == true, "\(exact.raw)")
                #expect(Self.seqs(exact) == [4, 5])

                let dave = try await TestChatClient.connect(port: port, name: "dave")
                try await dave.send(["type": "hello", "nick": "dave", "resume": ["lobby": 2]])
                _ = try await dave.expect("welcome", timeout: Self.patience)
                let resumed = try await dave.expect("joined", timeout: Self.patience)
                #expect(resumed["recovered"] as? Bool == false, "\(resumed.raw)")
                #expect(resumed.string("reason") == "history_pruned")

                // The stream goes on after the pruned range.
                try await alice.send(["type": "send", "room": "lobby", "text": "m6", "cid": "c6"])
                #expect(
                    try await alice.expect("ack", skipping: ["presence", "message"], timeout: Self.patience).int("seq")
                        == 6)
                for client in [alice, bob, carol, dave] { await client.close() }
            }
        }
    }

    @Test(
        "the retention service prunes by the server's days and each room's override, in bounded batches",
        arguments: await TestDatabase.available)
    func servicePrunesByPolicy(database: TestDatabase) async throws {
        try await database.with { location in
            let store = try location.open()
            let retention = try #require(store as? any MessageRetention)
            let rooms = try #require(store as? any RoomStore)
            var server = ServerConfigurationFactory.make()
            server.retention.initialDelay = .seconds(3_600)  // the node's own service stays out of the way
            try await TestServer.with(server, store: store) { _, _ in
                let now = ChatClock.wallMillis()
                let twoDaysAgo = now - 2 * Self.day
                for name in ["plain", "kept", "week", "short"] {
                    _ = try await rooms.createRoom(Room(name: name, visibility: .public, creator: "op", createdAt: now))
                }
                try await retention.setRoomRetention(0, of: "kept", by: .serverOperator, now: now)
                try await retention.setRoomRetention(7, of: "week", by: .serverOperator, now: now)
                try await retention.setRoomRetention(1, of: "short", by: .serverOperator, now: now)
                let conversations: [Conversation] = [
                    .room("plain"), .room("kept"), .room("week"), .room("short"), .direct(between: "alice", and: "bob"),
                ]
                for conversation in conversations {
                    for n in 1...5 {
                        _ = try await store.append(
                            MessageDraft(
                                conversation: conversation, from: "alice", text: "old \(n)",
                                clientID: "\(conversation.key)-\(n)", timestamp: twoDaysAgo))
                    }
                    _ = try await store.append(
                        MessageDraft(
                            conversation: conversation, from: "alice", text: "new", clientID: "\(conversation.key)-new",
                            timestamp: now))
                }

                func pass(defaultDays: Int) async throws -> [String: Int] {
                    var configuration = RetentionService.Configuration()
                    configuration.policy.defaultDays = defaultDays
                    configuration.batchSize = 2
                    configuration.pauseBetweenBatches = .milliseconds(1)
                    configuration.scopePageSize = 2
                    return try await RetentionService(
                        store: retention, configuration: configuration, logger: Logger(label: "test")
                    )
                    .prunePass()
                }
                // The server keeps everything: only the room whose override says 1 day loses its old messages.
                #expect(try await pass(defaultDays: 0) == ["room:short": 5])
                // One day on the server: the rooms that follow it and the DM too; 0 and 7 days keep theirs.
                #expect(try await pass(defaultDays: 1) == ["room:plain": 5, "dm:alice:bob": 5])
                #expect(try await pass(defaultDays: 1).isEmpty, "nothing left to prune")
                for conversation in conversations {
                    let state = try await store.state(of: conversation)
                    let pruned = ["room:short", "room:plain", "dm:alice:bob"].contains(conversation.key)
                    #expect(state.firstAvailableSeq == (pruned ? 6 : 1), "\(conversation.key)")
                    #expect(state.lastSeq == 6)
                }
            }
        }
    }
}
