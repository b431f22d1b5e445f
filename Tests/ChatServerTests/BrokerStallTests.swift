import Foundation
import TestSupport
import Testing

/// RabbitMQ stops answering mid-send without closing anything (a hung broker, or a network
/// partition): only this node's AMQP connections go through a stalled `TCPProxy` to the shared
/// RabbitMQ, which itself is never stopped, so the suite shares the machine with the others.
@Suite(
    "BrokerStall: RabbitMQ stops answering mid-send", .requires(.rabbitMQ, .rabbitchat), .timeLimit(.minutes(3))
)
struct BrokerStallTests {
    /// Room for a loaded 2-core machine (scheduling, the test client, logging).
    static let slack: Duration = .seconds(5)
    /// The node's shutdown timeout (`ServerConfiguration.shutdownTimeout`'s default) plus the
    /// cancellation grace of `NodeLauncher`: SIGTERM must end the process within this.
    static let exitLimit: Duration = .seconds(10 + 3)

    /// A node whose RabbitMQ link goes through `proxy`, with a room that `writer` has joined.
    struct Setup {
        var node: ServerProcess
        var proxy: TCPProxy
        var writer: TestChatClient
        var room: String
    }

    static func start(_ name: String) async throws -> Setup {
        let shared = try #require(URLComponents(string: TestEnvironment.amqpURL))
        let proxy = try await TCPProxy.start(targetPort: shared.port ?? 5672)
        var url = shared
        url.port = proxy.port
        let node = try await ServerProcess.start(
            nodeID: MultiNodeCluster.unique(name),
            arguments: [
                "--amqp-url", url.string!,
                "--database-url",
                "sqlite://" + NSTemporaryDirectory() + "rabbitchat-\(name)-\(UUID().uuidString).sqlite",
            ])
        let room = MultiNodeCluster.unique(name)
        let writer = try await TestChatClient.connect(port: node.port, name: "writer")
        try await writer.hello(MultiNodeCluster.unique("w"))
        try await writer.join(room)
        try await writer.send(["type": "send", "room": room, "text": "before", "cid": "before"])
        let answer = try await PostgresOutageTests.answer(to: "before", from: writer, within: .seconds(30))
        #expect(answer?.type == "ack", "acknowledged while RabbitMQ answers: \(String(describing: answer))")
        return Setup(node: node, proxy: proxy, writer: writer, room: room)
    }

    @Test("a close frame behind more than 64 waiting sends is answered within a second")
    func closeBehindWaitingSends() async throws {
        let setup = try await Self.start("stallclose")
        defer { setup.node.kill() }
        try await setup.proxy.stall()
        // The first send waits for RabbitMQ's confirm (up to the 10 s send timeout); the rest,
        // more than the 64 the connection holds for the hub, wait behind it in order.
        // (64 is `ChatWebSocketHandler.maxQueuedInbound`.)
        let count = 64 * 2 + 20
        for index in 0..<count {
            try await setup.writer.send([
                "type": "send", "room": setup.room, "text": "stuck \(index)", "cid": "s\(index)",
            ])
        }
        // Long enough for the node to read what fits and stop reading the socket.
        try await Task.sleep(for: .seconds(1))
        let closing = ContinuousClock.now
        await setup.writer.close()
        let took = ContinuousClock.now - closing
        // The stall is endless: any bound shows the close did not wait for it (5 s, not 1: loaded CI).
        #expect(took < .seconds(5), "the close handshake took \(took)")
        // The server answered either with its own close (1013: no room for more messages while
        // the hub is stuck) or by echoing the client's; either way it did not wait for RabbitMQ.
        try? await setup.proxy.stop()
        if took >= .seconds(1) { Issue.record("log of \(setup.node.nodeID):\n\(setup.node.log.suffix(4000))") }
    }

    @Test("SIGTERM ends the node within its shutdown timeout plus the grace while sends wait on RabbitMQ")
    func sigtermWhileBrokerHangs() async throws {
        let setup = try await Self.start("stallterm")
        defer { setup.node.kill() }
        try await setup.proxy.stall()
        for index in 0..<5 {
            try await setup.writer.send([
                "type": "send", "room": setup.room, "text": "stuck \(index)", "cid": "s\(index)",
            ])
        }
        try await Task.sleep(for: .milliseconds(500))
        let terminating = ContinuousClock.now
        let status = await setup.node.terminate()
        let took = ContinuousClock.now - terminating
        #expect(took < Self.exitLimit + Self.slack, "the node took \(took) to exit after SIGTERM")
        #expect(!setup.node.isRunning)
        // The writer was told: 1012 (going away, reconnect), or the connection dropped.
        _ = try await setup.writer.expectClose(timeout: .seconds(30))
        if took >= Self.exitLimit + Self.slack || status != 0 {
            Issue.record("exit status \(status); log of \(setup.node.nodeID):\n\(setup.node.log.suffix(4000))")
        }
        await setup.writer.close()
        try? await setup.proxy.stop()
    }
}
