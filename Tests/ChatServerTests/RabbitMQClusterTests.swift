import Foundation
import TestSupport
import Testing

/// A chat node on a private three-node RabbitMQ cluster loses the RabbitMQ node it talks to.
///
/// The cluster is started by `scripts/rabbitmq-cluster` with its own node names, ports, data
/// directories and Erlang cookie; the shared RabbitMQ on 5672 is never touched. Starting three
/// Erlang nodes loads the machine for minutes, so the suite runs alone in the `rabbitMQCluster`
/// phase (`TestPhase`).
@Suite(
    "RabbitMQ cluster: failover to another RabbitMQ node", .tags(.rabbitMQCluster), .ownPhase,
    .requires(.rabbitMQServer, .postgreSQL, .rabbitchat), .serialized, .timeLimit(.minutes(10))
)
struct RabbitMQClusterTests {
    static var script: String { TestEnvironment.repositoryRoot.appendingPathComponent("scripts/rabbitmq-cluster").path }

    @Test("the node moves to another RabbitMQ node, re-declares its queue, and loses no acknowledged message")
    func failover() async throws {
        let directory = URL(fileURLWithPath: TestEnvironment.privateRabbitMQDirectory)
            .appendingPathComponent("rabbitchat-rmq-cluster-\(UUID().uuidString.prefix(8))").path
        // AMQP ports, then Erlang distribution ports.
        let ports = try (0..<6).map { _ in try FreePort.find() }
        let started = try await ChildProcess.run(
            Self.script, ["start", directory] + ports.map(String.init), timeoutSeconds: 480)
        defer { _ = try? ChildProcess.runBlocking(Self.script, ["stop", directory]) }
        try #require(
            started.status == 0,
            "the private cluster did not start (exit \(started.status)): \(started.output)\(started.errorOutput)")

        let urls = ports.prefix(3).map { "amqp://guest:guest@127.0.0.1:\($0)/" }
        let node = try await ServerProcess.start(
            nodeID: MultiNodeCluster.unique("rc"),
            arguments: [
                "--amqp-url", urls.joined(separator: ","), "--database-url", TestEnvironment.databaseURL,
                "--presence-interval", "1",
            ])
        defer { node.kill() }
        let room = MultiNodeCluster.unique("cluster")
        let writer = try await TestChatClient.connect(port: node.port, name: "writer")
        try await writer.hello(MultiNodeCluster.unique("w"))
        try await writer.join(room)
        let reader = try await TestChatClient.connect(port: node.port, name: "reader")
        try await reader.hello(MultiNodeCluster.unique("r"))
        try await reader.join(room)

        var acked: [String: Int] = [:]
        var readerSeqs: [Int] = []
        /// Sends until acknowledged, resending with the same cid after an error.
        func sendAcked(_ cid: String) async throws {
            let end = ContinuousClock.now + .seconds(120)
            while ContinuousClock.now < end {
                try await writer.send(["type": "send", "room": room, "text": "text \(cid)", "cid": cid])
                while true {
                    let frame = try await writer.next(timeout: .seconds(60))
                    if frame.type == "ack", frame.string("cid") == cid {
                        acked[cid] = frame.int("seq")
                        return
                    }
                    if frame.type == "error", frame.string("cid") == cid {
                        #expect(["unavailable", "timeout"].contains(frame.string("code") ?? ""), "\(frame)")
                        try await Task.sleep(for: .milliseconds(200))
                        break
                    }
                }
            }
            Issue.record("\(cid) was never acknowledged")
        }

        for index in 0..<10 { try await sendAcked("before-\(index)") }
        // Both of the node's connections went to the first URL: kill that RabbitMQ node.
        let killed = try await ChildProcess.run(Self.script, ["kill", directory, "1"])
        try #require(killed.status == 0, "\(killed.output)\(killed.errorOutput)")
        for index in 0..<10 { try await sendAcked("after-\(index)") }

        // The node reconnected to another member, under a new queue, and said so.
        let log = node.log
        #expect(log.contains("RabbitMQ connection lost"), "\(log.suffix(3000))")
        #expect(
            log.contains("127.0.0.1:\(ports[1])") || log.contains("127.0.0.1:\(ports[2])"),
            "recovered on another RabbitMQ node: \(log.suffix(3000))")
        #expect(log.contains("AMQP server-named queue renamed by recovery"), "\(log.suffix(3000))")
        // It is ready again: both connections are back.
        let ready = try await HTTP.get(port: node.port, path: "/readyz")
        #expect(ready.status == 200)

        // The reader saw every acknowledged message once, in order: live, or repaired from the
        // store after the failover.
        let wanted = Set(acked.values)
        let deadline = ContinuousClock.now + .seconds(60)
        while !wanted.isSubset(of: Set(readerSeqs)), ContinuousClock.now < deadline {
            guard let frame = try? await reader.next(timeout: .seconds(20)) else { break }
            if frame.type == "message", let seq = frame.int("seq") { readerSeqs.append(seq) }
        }
        #expect(wanted.isSubset(of: Set(readerSeqs)), "reader missed \(wanted.subtracting(readerSeqs).sorted())")
        #expect(readerSeqs == readerSeqs.sorted(), "in order: \(readerSeqs)")
        #expect(Set(readerSeqs).count == readerSeqs.count, "no duplicates: \(readerSeqs)")

        // History holds every acknowledged cid exactly once, at the seq its ack named, gap-free.
        try await writer.send(["type": "history", "room": room, "limit": 100])
        let history = try await writer.expect("history", skipping: ["presence", "typing", "receipt", "message"])
        let messages = history["messages"] as? [[String: Any]] ?? []
        let stored = messages.compactMap { ($0["seq"] as? NSNumber)?.intValue }.sorted()
        #expect(stored == Array(1...stored.count), "history seqs contiguous: \(stored)")
        for (cid, seq) in acked {
            let matching = messages.filter { ($0["text"] as? String) == "text \(cid)" }
            #expect(matching.count == 1, "\(cid) stored \(matching.count) times")
            #expect((matching.first?["seq"] as? NSNumber)?.intValue == seq, "\(cid) at its acknowledged seq")
        }
        #expect(acked.count == 20)
        await writer.close()
        await reader.close()
        _ = await node.terminate()
    }
}
