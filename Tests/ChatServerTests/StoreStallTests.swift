import Foundation
import Synchronization
import TestSupport
import Testing

/// PostgreSQL stops answering without closing anything (a network partition): the node's store
/// calls never return on their own. Only this node's connections go through the stalled proxy,
/// so the suite can share the machine with the others.
@Suite("StoreStall: PostgreSQL stops answering mid-conversation", .timeLimit(.minutes(2)))
struct StoreStallTests {
    /// The node's `--send-timeout` here: short, so the test is quick.
    static let sendTimeout: Duration = .seconds(2)
    /// Room for a loaded 2-core machine.
    static let slack: Duration = .seconds(5)

    @Test("sends are answered unavailable within the send timeout; close frames and SIGTERM are not held up")
    func stalledStore() async throws {
        guard try await PostgresCluster.local() != nil else { return }
        guard FileManager.default.isExecutableFile(atPath: ServerProcess.binary) else {
            Issue.record("the test needs \(ServerProcess.binary): run `swift build --product rabbitchat`")
            return
        }
        var url = try #require(URLComponents(string: MultiNodeCluster.databaseURL))
        let proxy = try await TCPProxy.start(targetPort: url.port ?? 5432)
        url.port = proxy.port
        let node = try await ServerProcess.start(
            nodeID: MultiNodeCluster.unique("stall"),
            arguments: ["--database-url", url.string!, "--send-timeout", "\(Self.sendTimeout.components.seconds)"])
        do {
            try await exercise(node, proxy: proxy)
        } catch {
            node.kill()
            Issue.record("log of \(node.nodeID):\n\(node.log.suffix(4000))")
            try? await proxy.stop()
            throw error
        }
        try? await proxy.stop()
    }

    @Test("pipelined sends and join, history, read are each answered within the send timeout of being sent")
    func pipelinedRequests() async throws {
        guard try await PostgresCluster.local() != nil else { return }
        guard FileManager.default.isExecutableFile(atPath: ServerProcess.binary) else {
            Issue.record("the test needs \(ServerProcess.binary): run `swift build --product rabbitchat`")
            return
        }
        var url = try #require(URLComponents(string: MultiNodeCluster.databaseURL))
        let proxy = try await TCPProxy.start(targetPort: url.port ?? 5432)
        url.port = proxy.port
        let node = try await ServerProcess.start(
            nodeID: MultiNodeCluster.unique("pipeline"),
            arguments: ["--database-url", url.string!, "--send-timeout", "\(Self.sendTimeout.components.seconds)"])
        do {
            try await pipeline(node, proxy: proxy)
        } catch {
            node.kill()
            Issue.record("log of \(node.nodeID):\n\(node.log.suffix(4000))")
            try? await proxy.stop()
            throw error
        }
        node.kill()
        try? await proxy.stop()
    }

    /// Sends written back to back into a stalled store wait, on the node, behind the first one:
    /// the hub handles one session's frames in order. Counted from arrival, each is answered
    /// within the send timeout of being sent (before: the n-th after about n send timeouts).
    func pipeline(_ node: ServerProcess, proxy: TCPProxy) async throws {
        let room = MultiNodeCluster.unique("pipeline")
        let alice = try await TestChatClient.connect(port: node.port, name: "alice")
        try await alice.hello(MultiNodeCluster.unique("alice"))
        try await alice.joinRetrying(room)
        #expect(try await Self.sendUntilAcked(alice, room: room, cid: "p0"))

        try await proxy.stall()
        // Eight: without the arrival deadline the last would be answered after about 16 s.
        let cids = (1...8).map { "p\($0)" }
        var sentAt: [String: ContinuousClock.Instant] = [:]
        for cid in cids {
            sentAt[cid] = .now
            try await alice.send(["type": "send", "room": room, "text": "during \(cid)", "cid": cid])
        }
        for cid in cids {
            let limit = Self.sendTimeout + Self.slack - (ContinuousClock.now - sentAt[cid]!)
            let answer = try await PostgresOutageTests.answer(to: cid, from: alice, within: max(limit, .zero))
            #expect(
                answer?.type == "error" && answer?.string("code") == "unavailable"
                    && answer?.string("message")?.contains("retry") == true,
                "\(cid) answered \(String(describing: answer)) \(ContinuousClock.now - sentAt[cid]!) after it was sent")
        }

        // Reads of the store are bounded the same way: unavailable, not silence.
        let requests: [(ref: String, frame: [String: Any])] = [
            ("history", ["type": "history", "room": room]),
            ("read", ["type": "read", "room": room, "seq": 1]),
            ("join", ["type": "join", "room": MultiNodeCluster.unique("other"), "since": 0]),
        ]
        for request in requests {
            let start = ContinuousClock.now
            try await alice.send(request.frame)
            let answer = try await alice.next(timeout: Self.sendTimeout + Self.slack)
            #expect(
                answer.type == "error" && answer.string("code") == "unavailable" && answer.string("ref") == request.ref,
                "\(request.ref) answered \(answer) after \(ContinuousClock.now - start)")
        }
        await alice.close()
    }

    @Test("sends pipelined over SockJS xhr_send are each answered within the send timeout of being sent")
    func pipelinedSockJSSends() async throws {
        guard try await PostgresCluster.local() != nil else { return }
        guard FileManager.default.isExecutableFile(atPath: ServerProcess.binary) else {
            Issue.record("the test needs \(ServerProcess.binary): run `swift build --product rabbitchat`")
            return
        }
        var url = try #require(URLComponents(string: MultiNodeCluster.databaseURL))
        let proxy = try await TCPProxy.start(targetPort: url.port ?? 5432)
        url.port = proxy.port
        let node = try await ServerProcess.start(
            nodeID: MultiNodeCluster.unique("sockjs-pipeline"),
            arguments: ["--database-url", url.string!, "--send-timeout", "\(Self.sendTimeout.components.seconds)"])
        do {
            try await sockJSPipeline(node, proxy: proxy)
        } catch {
            node.kill()
            Issue.record("log of \(node.nodeID):\n\(node.log.suffix(4000))")
            try? await proxy.stop()
            throw error
        }
        node.kill()
        try? await proxy.stop()
    }

    /// The SockJS session queues a request's messages for the hub like `/ws` does: the deadline
    /// counts from the `xhr_send` that brought each one.
    func sockJSPipeline(_ node: ServerProcess, proxy: TCPProxy) async throws {
        let room = MultiNodeCluster.unique("sockjs-pipeline")
        let client = try await SockJSChatClient.connect(port: node.port, transport: .xhrStreaming)
        try await client.hello(MultiNodeCluster.unique("carol"))
        // Before the stall a loaded machine may still take longer than the short send timeout:
        // join and the first send are retried on `unavailable`, as a client does.
        var joined: [String: Any] = [:]
        for _ in 1...10 {
            try await client.send(["type": "join", "room": room])
            joined = try await client.next()
            while joined["type"] as? String != "joined", joined["type"] as? String != "error" {
                joined = try await client.next()
            }
            if joined["type"] as? String == "joined" { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        try #require(joined["type"] as? String == "joined", "\(joined)")
        var first: [String: Any] = [:]
        for _ in 1...10 {
            try await client.send(["type": "send", "room": room, "text": "before", "cid": "s0"])
            first = try await client.next()
            while first["type"] as? String == "message" { first = try await client.next() }
            if first["type"] as? String == "ack" { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(first["type"] as? String == "ack" && first["cid"] as? String == "s0", "\(first)")

        // Every frame from here on, with when it came, read by one task.
        let answers = Mutex<[String: (type: String, code: String?, at: ContinuousClock.Instant)]>([:])
        let reader = Task {
            while let frame = try? await client.next() {
                guard let cid = frame["cid"] as? String else { continue }
                let answer = (
                    type: frame["type"] as? String ?? "", code: frame["code"] as? String, at: ContinuousClock.now
                )
                answers.withLock { $0[cid] = answer }
            }
        }
        try await proxy.stall()
        let cids = (1...8).map { "s\($0)" }
        var sentAt: [String: ContinuousClock.Instant] = [:]
        for cid in cids {
            sentAt[cid] = .now
            try await client.send(["type": "send", "room": room, "text": "during \(cid)", "cid": cid])
        }
        let end = sentAt[cids.last!]! + Self.sendTimeout + Self.slack
        while ContinuousClock.now < end, answers.withLock({ $0.count }) < cids.count {
            try await Task.sleep(for: .milliseconds(50))
        }
        let got = answers.withLock { $0 }
        for cid in cids {
            let answer = got[cid]
            #expect(
                answer?.type == "error" && answer?.code == "unavailable", "\(cid): \(String(describing: answer))")
            if let answer {
                let took = answer.at - sentAt[cid]!
                #expect(took < Self.sendTimeout + Self.slack, "\(cid) answered \(took) after it was sent")
            }
        }
        await client.close()
        reader.cancel()
    }

    /// Sends `before` until it is acknowledged (retrying `unavailable` with the same cid, as a
    /// client does): before the stall, a loaded machine may still take longer than the node's
    /// short send timeout.
    static func sendUntilAcked(_ client: TestChatClient, room: String, cid: String) async throws -> Bool {
        for _ in 1...10 {
            try await client.send(["type": "send", "room": room, "text": "before", "cid": cid])
            let answer = try await PostgresOutageTests.answer(
                to: cid, from: client, within: .seconds(30), tolerating: ["unavailable"])
            if answer?.type == "ack" { return true }
            try await Task.sleep(for: .milliseconds(500))
        }
        return false
    }

    func exercise(_ node: ServerProcess, proxy: TCPProxy) async throws {
        let room = MultiNodeCluster.unique("stall")
        let alice = try await TestChatClient.connect(port: node.port, name: "alice")
        try await alice.hello(MultiNodeCluster.unique("alice"))
        try await alice.joinRetrying(room)
        let bob = try await TestChatClient.connect(port: node.port, name: "bob")
        try await bob.hello(MultiNodeCluster.unique("bob"))
        try await bob.joinRetrying(room)
        #expect(try await Self.sendUntilAcked(alice, room: room, cid: "a1"))

        try await proxy.stall()
        // Both senders of the room are answered: the first send's stuck append does not keep
        // the conversation's lane.
        for (client, cid) in [(alice, "a2"), (bob, "b1")] {
            let start = ContinuousClock.now
            try await client.send(["type": "send", "room": room, "text": "during \(cid)", "cid": cid])
            let answer = try await PostgresOutageTests.answer(
                to: cid, from: client, within: Self.sendTimeout + Self.slack)
            #expect(
                answer?.type == "error" && answer?.string("code") == "unavailable",
                "\(cid): \(String(describing: answer))")
            #expect(ContinuousClock.now - start >= Self.sendTimeout - .milliseconds(100), "answered at the deadline")
        }

        // A close frame is answered at once while the client's send waits on the store.
        try await alice.send(["type": "send", "room": room, "text": "closing", "cid": "a3"])
        let closing = ContinuousClock.now
        await alice.close()
        let closeTook = ContinuousClock.now - closing
        // The store is stuck until released: any bound shows the close did not wait (5 s: loaded CI).
        #expect(closeTook < .seconds(5), "the close handshake took \(closeTook)")

        // SIGTERM ends the node within its shutdown limit (10 s) though store calls are stuck.
        let terminating = ContinuousClock.now
        let status = await node.terminate()
        let exitTook = ContinuousClock.now - terminating
        #expect(exitTook < .seconds(10) + Self.slack, "the node took \(exitTook) to exit")
        #expect(status == 0, "exit status \(status)")
        await bob.close()
    }
}
