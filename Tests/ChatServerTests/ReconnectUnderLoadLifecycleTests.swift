import ChatCore
import ChatServer
import Foundation
import Synchronization
import TestSupport
import Testing

/// `ReconnectUnderLoadTests` with the message lifecycle mixed in: the writers also edit and
/// react to their own messages (and delete some), each change an entry of the room's `seq`
/// stream. The reader's connection is reset three times mid-stream; it resumes each time and
/// must end with every entry exactly once, in `seq` order, each change naming the message and
/// action its writer's `ack` was for. Runs on SQLite and on PostgreSQL.
@Suite("Reconnect under load, with edits and reactions", .timeLimit(.minutes(4)))
struct ReconnectUnderLoadLifecycleTests {
    static let writers = 3
    /// Entries per writer: messages, and after some of them an edit, a reaction or a delete.
    static let entriesPerWriter = 150
    static let batch = 10
    static let total = writers * entriesPerWriter
    static let resetPoints = [total / 5, total / 2, total * 4 / 5]

    /// What one entry of the stream is, as the writer made it and as the reader must see it.
    struct Entry: Equatable, Sendable, CustomStringConvertible {
        var kind: String
        /// For a change: its action and the seq it changes.
        var action: String?
        var target: Int?

        var description: String { action.map { "\($0) of \(target ?? -1)" } ?? kind }
    }

    /// The `index`-th frame a writer sends (the last message it sent is `previous`): mostly
    /// messages; every fourth an edit of the previous message, every fifth a reaction to it,
    /// every seventeenth a delete of it (none of them hit a deleted message: a delete is
    /// followed by a new message before the next change).
    static func frame(writer: Int, index: Int, previous: Int?) -> (frame: [String: Any], entry: Entry) {
        let cid = "w\(writer)-\(index)"
        if let previous, index % 17 == 16 {
            return (
                ["type": "delete", "room": "stream", "seq": previous, "cid": cid],
                Entry(kind: "update", action: "delete", target: previous)
            )
        }
        if let previous, index % 4 == 3 {
            return (
                ["type": "edit", "room": "stream", "seq": previous, "text": "edited \(cid)", "cid": cid],
                Entry(kind: "update", action: "edit", target: previous)
            )
        }
        if let previous, index % 5 == 4 {
            return (
                ["type": "react", "room": "stream", "seq": previous, "emoji": "👍", "cid": cid],
                Entry(kind: "update", action: "react", target: previous)
            )
        }
        return (["type": "send", "room": "stream", "text": "m \(cid)", "cid": cid], Entry(kind: "message"))
    }

    @Test(
        "a reader reset mid-stream ends with every message and change exactly once, in seq order",
        arguments: await TestDatabase.available)
    func everyChangeExactlyOnce(database: TestDatabase) async throws {
        try await database.with { location in
            let store = try location.open()
            let configuration = ReconnectUnderLoadTests.configuration()
            try await TestServer.with(configuration, store: store) { port, _ in
                try await Self.scenario(port: port)
            }
        }
    }

    static func scenario(port: Int) async throws {
        let proxy = try await TCPProxy.start(targetPort: port)
        let token = try await AccountTestClient.register(port: port, "reader")
        let progress = ReconnectUnderLoadTests.Progress()
        let made = Made()

        let first = try await Reader.connect(proxyPort: proxy.port, token: token, resumeFrom: 0)
        #expect(first.backlog.isEmpty)

        let received = try await withThrowingTaskGroup(of: [(Int, Entry)].self) { group in
            for w in 0..<writers {
                group.addTask {
                    let writer = try await TestChatClient.connect(port: port, name: "writer\(w)")
                    try await writer.hello("writer\(w)")
                    try await writer.join("stream")
                    var previous: Int?
                    for start in stride(from: 0, to: entriesPerWriter, by: batch) {
                        try await ReconnectUnderLoadTests.waitForReader(proxy: proxy, progress: progress)
                        // One frame at a time within the batch when it changes the message just
                        // sent: the change needs that message's seq from its ack.
                        for index in start..<min(start + batch, entriesPerWriter) {
                            let (frame, entry) = Self.frame(writer: w, index: index, previous: previous)
                            try await writer.send(frame)
                            let ack = try await writer.expect(
                                "ack", skipping: ["message", "presence", "update"], timeout: .seconds(30))
                            #expect(ack.string("cid") == frame["cid"] as? String, "\(ack.json)")
                            let seq = try #require(ack.int("seq"))
                            made.entries.withLock { $0[seq] = entry }
                            switch entry.action {
                            case nil: previous = seq
                            case "delete": previous = nil
                            default: break
                            }
                        }
                        let count = progress.acked.withLock { value in
                            value += batch
                            return value
                        }
                        let due = progress.resets.withLock { resets in
                            guard resets < resetPoints.count, count >= resetPoints[resets] else { return false }
                            resets += 1
                            return true
                        }
                        if due { try await proxy.reset() }
                    }
                    await writer.close()
                    return []
                }
            }
            group.addTask {
                try await Self.read(first: first, proxyPort: proxy.port, token: token)
            }
            var received: [(Int, Entry)] = []
            for try await result in group where !result.isEmpty { received = result }
            return received
        }
        try await proxy.stop()

        let seqs = received.map(\.0)
        let expected = made.entries.withLock { $0 }
        #expect(progress.resets.withLock { $0 } == resetPoints.count, "every reset happened while writers were sending")
        #expect(expected.count == total)
        #expect(expected.values.contains { $0.action == "edit" } && expected.values.contains { $0.action == "react" })
        #expect(
            seqs == Array(1...total), "first difference at index \(seqs.indices.first { seqs[$0] != $0 + 1 } ?? -1)")
        for (seq, entry) in received where expected[seq] != entry {
            Issue.record(
                "seq \(seq): received \(entry), the writer made \(expected[seq].map(\.description) ?? "nothing")")
        }
    }

    /// The entry a `message` or `update` frame (live or in a backlog) is.
    static func entry(_ json: [String: Any]) throws -> (Int, Entry) {
        let seq = try #require((json["seq"] as? NSNumber)?.intValue)
        let type = json["type"] as? String ?? ""
        let update = json["update"] as? [String: Any]
        return (
            seq,
            Entry(
                kind: type, action: update?["action"] as? String,
                target: (update?["seq"] as? NSNumber)?.intValue)
        )
    }

    /// Reads until every entry arrived, reconnecting with `resume` whenever the connection dies.
    static func read(first: Reader, proxyPort: Int, token: String) async throws -> [(Int, Entry)] {
        var reader = first
        var received: [(Int, Entry)] = []
        var reconnects = 0
        while received.count < total {
            switch await reader.client.nextEvent(timeout: .seconds(30)) {
            case .frame(let frame)?:
                guard frame.type == "message" || frame.type == "update" else { continue }
                received.append(try entry(frame.json))
            case .closed?:
                reconnects += 1
                try #require(reconnects <= 20, "too many reconnects")
                reader = try await Reader.reconnect(
                    proxyPort: proxyPort, token: token, resumeFrom: received.last?.0 ?? 0)
                received += reader.backlog
            case nil:
                Issue.record("no entry within 30 s; have \(received.count) of \(total)")
                return received
            }
        }
        await reader.client.close()
        #expect(reconnects >= resetPoints.count)
        return received
    }

    /// What the writers made: each acknowledged seq and its entry.
    final class Made: Sendable {
        let entries = Mutex<[Int: Entry]>([:])
    }

    /// One connection of the reader, with the entries its `joined` carried.
    struct Reader: Sendable {
        var client: TestChatClient
        var backlog: [(Int, Entry)]

        static func connect(proxyPort: Int, token: String, resumeFrom since: Int) async throws -> Reader {
            let client = try await TestChatClient.connect(port: proxyPort, name: "reader")
            try await client.send(["type": "hello", "token": token, "resume": ["stream": since]])
            _ = try await client.expect("welcome")
            let joined = try await client.expect("joined")
            #expect(joined["recovered"] as? Bool == true, "\(joined)")
            let backlog = try (joined["messages"] as? [[String: Any]] ?? []).map(ReconnectUnderLoadLifecycleTests.entry)
            #expect(backlog.first.map { $0.0 == since + 1 } ?? true, "the backlog starts right after `since`")
            return Reader(client: client, backlog: backlog)
        }

        static func reconnect(proxyPort: Int, token: String, resumeFrom since: Int) async throws -> Reader {
            var lastError: (any Error)?
            for _ in 0..<10 {
                do {
                    return try await connect(proxyPort: proxyPort, token: token, resumeFrom: since)
                } catch {
                    lastError = error
                }
            }
            throw lastError!
        }
    }
}
