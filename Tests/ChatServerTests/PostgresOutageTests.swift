import Foundation
import Synchronization
import TestSupport
import Testing

/// PostgreSQL restarts again and again under concurrent sends. It stops the database every
/// other test uses, so scripts/test runs it in a phase of its own (tag `.databaseOutage`).
///
/// It guards the bug of issue 20: after a restart a node could stop answering every `send` to
/// a room forever (postgres-nio never completes a query written to a connection that just
/// closed). Every send must now be answered, `ack` or `error` `unavailable`, within the node's
/// send timeout, and nothing acknowledged may be missing from history afterwards.
@Suite(
    "PostgresOutage: PostgreSQL restarts under send load", .tags(.databaseOutage), .ownPhase,
    .requires(.postgreSQL, .rabbitchat), .serialized, .timeLimit(.minutes(4)))
struct PostgresOutageTests {
    /// The node's send timeout (`--send-timeout`, default 10 s); a send unanswered for longer
    /// than this plus `slack` fails the test.
    static let sendTimeout: Duration = .seconds(10)
    /// Room for a loaded 2-core machine: scheduling, the test client, logging.
    static let slack: Duration = .seconds(5)

    @Test("every send is answered within the send timeout across many restarts; no acknowledged message is lost")
    func restartsUnderLoad() async throws {
        let cluster = try #require(try await PostgresCluster.local(), "no online PostgreSQL cluster (pg_lsclusters)")
        let restarts = TestEnvironment.postgresRestarts ?? 25
        let node = try await ServerProcess.start(
            nodeID: MultiNodeCluster.unique("pg"),
            // The default send timeout (10 s) is `sendTimeout`.
            arguments: [
                "--database-url", MultiNodeCluster.databaseURL,
                // The final check pages through history fast; this test is about restarts, not rate limits.
                "--rate-limit", "1000", "--rate-limit-burst", "1000", "--user-rate-limit", "1000",
                "--user-rate-limit-burst", "1000",
            ])
        do {
            try await run(restarts: restarts, on: node, cluster: cluster)
        } catch {
            await cluster.ensureOnline()
            node.kill()
            Issue.record("log of \(node.nodeID):\n\(node.log.suffix(4000))")
            throw error
        }
        await cluster.ensureOnline()
        let status = await node.terminate()
        #expect(status == 0, "the node exits cleanly after the restarts")
    }

    func run(restarts: Int, on node: ServerProcess, cluster: PostgresCluster) async throws {
        let rooms = [MultiNodeCluster.unique("pga"), MultiNodeCluster.unique("pgb")]
        let writersPerRoom = 3
        let report = Tally()

        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, room) in rooms.enumerated() {
                for writer in 0..<writersPerRoom {
                    let client = try await TestChatClient.connect(port: node.port, name: "w\(index)\(writer)")
                    try await client.hello(MultiNodeCluster.unique("w\(index)\(writer)"))
                    try await client.join(room)
                    group.addTask {
                        try await Self.write(as: client, in: room, report: report)
                        await client.close()
                    }
                }
            }
            // Restart while the writers send; vary the moment so restarts hit appends at every
            // step (lease, BEGIN, the statements, COMMIT).
            try await Task.sleep(for: .seconds(2))
            var random = SplitMix64(seed: UInt64(ContinuousClock.now.hashValue.magnitude))
            for restart in 1...restarts {
                try await cluster.restart()
                try await Task.sleep(for: .milliseconds(500 + Int(random.next() % 1500)))
                let snapshot = report.state.withLock { $0 }
                Self.log(
                    "PostgresOutage: restart \(restart)/\(restarts): \(snapshot.sends) sends, \(snapshot.acks) acks, \(snapshot.unavailable) unavailable, \(snapshot.unanswered.count) unanswered"
                )
            }
            report.state.withLock { $0.stopped = true }
            try await group.waitForAll()
        }

        let result = report.state.withLock { $0 }
        Self.log(
            "PostgresOutage: \(restarts) restarts, \(result.sends) sends, \(result.acks) acknowledged, \(result.unavailable) answered unavailable, \(result.unanswered.count) unanswered, slowest answer \(result.slowest)"
        )
        #expect(
            result.unanswered.isEmpty,
            "sends unanswered for longer than \(Self.sendTimeout + Self.slack): \(result.unanswered)")
        #expect(result.acks > restarts, "sends were acknowledged between the restarts")
        #expect(result.unavailable > 0, "some sends met a restart (otherwise the test proved nothing)")

        // Nothing acknowledged is missing from history, each exactly once, seqs contiguous.
        let reader = try await TestChatClient.connect(port: node.port, name: "reader")
        try await reader.hello(MultiNodeCluster.unique("reader"))
        for room in rooms {
            let history = try await Self.history(of: room, via: reader)
            let acked = result.acked.filter { $0.room == room }
            let bySeq = Dictionary(history.map { ($0.seq, $0.text) }, uniquingKeysWith: { first, _ in first })
            #expect(history.map(\.seq) == Array(1...(history.last?.seq ?? 0)), "\(room): seqs are 1...n without gaps")
            #expect(Set(history.map(\.text)).count == history.count, "\(room): no message stored twice")
            for message in acked {
                #expect(bySeq[message.seq] == message.text, "\(room): acknowledged \(message) is in history")
            }
        }
        await reader.close()
    }

    /// Progress on stderr, unbuffered: a stuck run still shows how far it got.
    static func log(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    struct Acked: Sendable, CustomStringConvertible {
        var room: String
        var seq: Int
        var text: String
        var description: String { "seq \(seq) `\(text)`" }
    }

    struct Report: Sendable {
        /// Set when the restarts are over: writers finish the message they are on and stop.
        var stopped = false
        var sends = 0
        var acks = 0
        var unavailable = 0
        var slowest: Duration = .zero
        var unanswered: [String] = []
        var acked: [Acked] = []
    }

    /// What the writers saw, shared between them and the restarting loop.
    final class Tally: Sendable {
        let state = Mutex(Report())
    }

    /// Sends numbered messages one after another until the tally says stop, each retried with
    /// the same cid after `unavailable` until it is acknowledged, as a client should.
    static func write(as client: TestChatClient, in room: String, report: Tally) async throws {
        var number = 0
        while !report.state.withLock({ $0.stopped }) {
            number += 1
            let cid = "c\(number)"
            let text = "\(client.name) \(number)"
            // The last message may need a few retries after the last restart.
            while true {
                try await client.send(["type": "send", "room": room, "text": text, "cid": cid])
                let sent = ContinuousClock.now
                report.state.withLock { $0.sends += 1 }
                guard let answer = try await answer(to: cid, from: client, within: sendTimeout + slack) else {
                    report.state.withLock { $0.unanswered.append("\(client.name) \(cid) in \(room)") }
                    return
                }
                let took = ContinuousClock.now - sent
                report.state.withLock { $0.slowest = max($0.slowest, took) }
                if answer.type == "ack", let seq = answer.int("seq") {
                    report.state.withLock {
                        $0.acks += 1
                        $0.acked.append(Acked(room: room, seq: seq, text: text))
                    }
                    break
                }
                #expect(answer.string("code") == "unavailable", "a send fails only as unavailable: \(answer)")
                report.state.withLock { $0.unavailable += 1 }
                try await Task.sleep(for: .milliseconds(200))
            }
            // About 10 messages a second per writer: well inside the rate limit (20 frames/s).
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The `ack` or `error` answering `cid`, skipping the room's traffic; nil when none came in
    /// time.
    static func answer(
        to cid: String, from client: TestChatClient, within limit: Duration, tolerating tolerated: Set<String> = []
    ) async throws -> TestChatClient.Frame? {
        let end = ContinuousClock.now + limit
        while true {
            let left = end - ContinuousClock.now
            guard left > .zero, let event = await client.nextEvent(timeout: left) else { return nil }
            guard case .frame(let frame) = event else {
                throw TestChatClient.Failure(description: "\(client.name): the node closed the connection")
            }
            if frame.type == "ack" || frame.type == "error", frame.string("cid") == cid { return frame }
            if frame.type == "error", !tolerated.contains(frame.string("code") ?? "") {
                Issue.record("\(client.name): unexpected error \(frame)")
            }
        }
    }

    /// Every message of `room`, oldest first, paged through `history`.
    static func history(of room: String, via client: TestChatClient) async throws -> [(seq: Int, text: String)] {
        var messages: [(seq: Int, text: String)] = []
        var before: Int? = nil
        while true {
            var request: [String: Any] = ["type": "history", "room": room, "limit": 100]
            if let before { request["before"] = before }
            try await client.send(request)
            let page = try await client.expect("history", skipping: ["presence", "message"], timeout: .seconds(30))
            let frames = (page["messages"] as? [[String: Any]]) ?? []
            let entries = frames.compactMap { frame -> (seq: Int, text: String)? in
                guard let seq = (frame["seq"] as? NSNumber)?.intValue, let text = frame["text"] as? String else {
                    return nil
                }
                return (seq, text)
            }
            messages.append(contentsOf: entries)
            guard page["hasMore"] as? Bool == true, let oldest = entries.map(\.seq).min() else { break }
            before = oldest
        }
        return messages.sorted { $0.seq < $1.seq }
    }
}

/// The machine's PostgreSQL cluster (`pg_lsclusters`), restarted the way an operator would.
struct PostgresCluster: Sendable {
    var version: String
    var name: String

    /// The online cluster, or nil when there is none (the suite requires PostgreSQL, so that fails).
    static func local() async throws -> PostgresCluster? {
        let listing = try? await ChildProcess.run("/usr/bin/pg_lsclusters", ["-h"])
        for line in (listing?.output ?? "").split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 4, fields[3] == "online" {
                return PostgresCluster(version: String(fields[0]), name: String(fields[1]))
            }
        }
        return nil
    }

    /// `pg_ctlcluster <version> <name> restart`: a fast shutdown (every connection is
    /// terminated, in-flight transactions are rolled back), then a start.
    func restart() async throws {
        let output = NSTemporaryDirectory() + "pg_ctlcluster-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let status = try await Self.shell(
            "/usr/bin/pg_ctlcluster \(version) \(name) restart >\(output) 2>&1 </dev/null")
        guard status == 0 else {
            let said = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            throw TestChatClient.Failure(description: "pg_ctlcluster restart failed (\(status)): \(said)")
        }
    }

    /// Starts the cluster if a failed test left it down; the other suites need it.
    func ensureOnline() async {
        _ = try? await Self.shell("/usr/bin/pg_ctlcluster \(version) \(name) start >/dev/null 2>&1 </dev/null")
    }

    /// Runs `command` with bash on a thread of its own and returns its exit status.
    ///
    /// Not `Process`: in this test process, swift-corelibs-foundation sometimes never noticed
    /// that `pg_ctlcluster restart` had exited (it stayed a zombie and `waitUntilExit` waited
    /// forever), so this spawns and reaps the child itself. The test's own descriptors are
    /// closed in the child: the restarted server must not keep any of them open.
    static func shell(_ command: String) async throws -> Int32 {
        let inherited = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [])
            .compactMap(Int32.init).filter { $0 > 2 }
        let line = "exec \(inherited.map { "\($0)>&-" }.joined(separator: " ")) 2>/dev/null; \(command)"
        return try await BlockingWork.run {
            var pid = pid_t()
            let words: [String] = ["/bin/bash", "-c", line]
            let arguments: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) }
            defer { arguments.forEach { free($0) } }
            let spawned = posix_spawn(&pid, "/bin/bash", nil, nil, arguments + [nil], environ)
            guard spawned == 0 else {
                throw TestChatClient.Failure(description: "posix_spawn failed: \(spawned)")
            }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 {
                guard errno == EINTR else { throw TestChatClient.Failure(description: "waitpid failed: \(errno)") }
            }
            // WIFEXITED / WEXITSTATUS.
            return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        }
    }
}
