import ChatCore
import ChatServer
import Foundation
import Synchronization
import TestSupport
import Testing

/// The promise of gap-free reconnects, tested the hard way: a reader's TCP connection is reset
/// (through a proxy, as a network would) three times while three writers keep sending to its
/// room; the reader reconnects each time with `hello` + `resume` and must end with every `seq`
/// exactly once, in order. Runs on SQLite and on PostgreSQL.
@Suite("Reconnect under load", .timeLimit(.minutes(4)))
struct ReconnectUnderLoadTests {
    static let writers = 3
    static let messagesPerWriter = 150
    /// Writers send in batches and wait for the batch's acks, so the stream lasts long enough for
    /// the resets to land mid-stream.
    static let batch = 10
    static let total = writers * messagesPerWriter
    /// The reader's connection is reset when this many messages have been acknowledged.
    static let resetPoints = [total / 5, total / 2, total * 4 / 5]

    @Test(
        "a reader whose socket is killed mid-stream ends with every seq exactly once",
        arguments: await TestDatabase.available)
    func everySeqExactlyOnce(database: TestDatabase) async throws {
        try await database.with { location in
            let store = try location.open()
            // Load, not abuse: the writers' bursts stay clear of the rate limits.
            let configuration = Self.configuration()
            try await TestServer.with(configuration, store: store) { port, _ in
                try await Self.scenario(port: port)
            }
        }
    }

    /// Load, not abuse: the writers' bursts stay clear of the rate limits. Reconnects, not store
    /// stalls (StoreStallTests): the writers wait 30 s for an ack, so the server's send deadline
    /// must not answer `unavailable` first when PostgreSQL is slow on a loaded machine (it did,
    /// at the default 10 s).
    static func configuration() -> ServerConfiguration {
        var configuration = ServerConfigurationFactory.make()
        configuration.inbound.connectionFramesPerSecond = 1_000
        configuration.inbound.connectionBurst = 1_000
        configuration.inbound.userFramesPerSecond = 1_000
        configuration.inbound.userBurst = 1_000
        configuration.limits.sendTimeout = .seconds(30)
        return configuration
    }

    static func scenario(port: Int) async throws {
        let proxy = try await TCPProxy.start(targetPort: port)
        let token = try await AccountTestClient.register(port: port, "reader")
        let progress = Progress()

        // The reader's first connection joins before anything is sent.
        let first = try await Reader.connect(proxyPort: proxy.port, token: token, resumeFrom: 0)
        #expect(first.backlog.isEmpty)

        let seqs = try await withThrowingTaskGroup(of: [Int].self) { group in
            for w in 0..<writers {
                group.addTask {
                    let writer = try await TestChatClient.connect(port: port, name: "writer\(w)")
                    try await writer.hello("writer\(w)")
                    try await writer.join("stream")
                    for start in stride(from: 0, to: messagesPerWriter, by: batch) {
                        // After a reset, no writer starts another batch until the reader is back
                        // on a new connection: each reset then cuts a live connection, and every
                        // one of them lands while the stream is still flowing.
                        try await Self.waitForReader(proxy: proxy, progress: progress)
                        for n in start..<min(start + batch, messagesPerWriter) {
                            try await writer.send([
                                "type": "send", "room": "stream", "text": "w\(w)-\(n)", "cid": "w\(w)-\(n)",
                            ])
                        }
                        for _ in start..<min(start + batch, messagesPerWriter) {
                            _ = try await writer.expect(
                                "ack", skipping: ["message", "presence"], timeout: .seconds(30))
                        }
                        let count = progress.acked.withLock { value in
                            value += batch
                            return value
                        }
                        // Whichever writer passes the next reset point pulls the plug, one reset
                        // at a time, while the others' batches are still in flight.
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
            var seqs: [Int] = []
            for try await result in group where !result.isEmpty { seqs = result }
            return seqs
        }
        try await proxy.stop()

        #expect(progress.resets.withLock { $0 } == resetPoints.count, "every reset happened while writers were sending")
        #expect(seqs.count == total, "received \(seqs.count) of \(total)")
        #expect(
            seqs == Array(1...total), "first difference at index \(seqs.indices.first { seqs[$0] != $0 + 1 } ?? -1)")
        #expect(Set(seqs).count == seqs.count, "no duplicates")
    }

    /// Waits (bounded) until the reader has opened a connection after the latest reset: the
    /// proxy has accepted one more connection than there were resets.
    static func waitForReader(proxy: TCPProxy, progress: Progress) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while try await proxy.acceptedConnections() <= progress.resets.withLock({ $0 }) {
            guard ContinuousClock.now < deadline else {
                Issue.record("the reader did not reconnect within 30 s of a reset")
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Reads until every message arrived, reconnecting with `resume` whenever the connection dies.
    static func read(first: Reader, proxyPort: Int, token: String) async throws -> [Int] {
        var reader = first
        var seqs: [Int] = []
        var reconnects = 0
        while seqs.count < total {
            switch await reader.client.nextEvent(timeout: .seconds(30)) {
            case .frame(let frame)?:
                guard frame.type == "message" else { continue }
                seqs.append(try #require(frame.int("seq")))
            case .closed?:
                reconnects += 1
                try #require(reconnects <= 20, "too many reconnects")
                reader = try await Reader.reconnect(proxyPort: proxyPort, token: token, resumeFrom: seqs.last ?? 0)
                seqs += reader.backlog
            case nil:
                Issue.record("no message within 30 s; have \(seqs.count) of \(total)")
                return seqs
            }
        }
        await reader.client.close()
        #expect(reconnects >= resetPoints.count)
        return seqs
    }

    /// What the writers share: messages acknowledged so far, and resets done.
    final class Progress: Sendable {
        let acked = Mutex(0)
        let resets = Mutex(0)
    }

    /// One connection of the reader, with the backlog its `joined` carried.
    struct Reader: Sendable {
        var client: TestChatClient
        var backlog: [Int]

        /// Signs in with `resume` and returns the backlog; fails unless recovery is exact.
        static func connect(proxyPort: Int, token: String, resumeFrom since: Int) async throws -> Reader {
            let client = try await TestChatClient.connect(port: proxyPort, name: "reader")
            try await client.send(["type": "hello", "token": token, "resume": ["stream": since]])
            _ = try await client.expect("welcome")
            let joined = try await client.expect("joined")
            #expect(joined["recovered"] as? Bool == true, "\(joined)")
            let backlog = (joined["messages"] as? [[String: Any]] ?? []).compactMap {
                ($0["seq"] as? NSNumber)?.intValue
            }
            #expect(backlog.first.map { $0 == since + 1 } ?? true, "the backlog starts right after `since`")
            return Reader(client: client, backlog: backlog)
        }

        /// Connects again; a reset may also hit the new connection before it is ready, so a few
        /// attempts are allowed.
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
