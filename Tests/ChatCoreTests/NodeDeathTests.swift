import ChatCore
import Logging
import Testing

/// A node dies without a goodbye: its queue disappears from the broker (here the in-process
/// exchange; on RabbitMQ its exclusive queue dies with its connection). The other node notices
/// through `Broker.isRouted` long before the node would expire for silence, releases its members,
/// and lets the same guest nick sign in again.
@Suite("Hub: a dead node's guests are released at once", .timeLimit(.minutes(1)))
struct NodeDeathTests {
    @Test("members of a node whose queue is gone go offline, and their nick can be claimed elsewhere")
    func releasedOnQueueLoss() async throws {
        let exchange = InProcessExchange()
        let store = InMemoryMessageStore()
        // Presence would expire a silent node only after three 60 s intervals: anything sooner
        // is the queue probe's doing.
        func hub(_ id: String) -> Hub {
            Hub(
                configuration: .init(nodeID: id, presenceAnnounce: .seconds(60), nodeProbe: .milliseconds(100)),
                store: store,
                broker: exchange.makeBroker(), logger: Logger(label: "node-death-test"))
        }
        let doomed = hub("doomed")
        let survivor = hub("survivor")
        let doomedRun = Task { try await doomed.run() }
        let survivorRun = Task { try await survivor.run() }
        defer {
            doomedRun.cancel()
            survivorRun.cancel()
        }
        while exchange.bindingCounts.filter({ $0 >= 3 }).count < 2 { await Task.yield() }

        let alice = try await HubTests.connect(doomed, as: "alice")
        await alice.send(#"{"type":"join","room":"lobby"}"#)
        _ = try await alice.expect("joined")
        let bob = try await HubTests.connect(survivor, as: "bob")
        await bob.send(#"{"type":"join","room":"lobby"}"#)
        let joined = try await bob.expect("joined")
        #expect(joined["members"] as? [String] == ["alice", "bob"])

        // While the node lives its guest's nick is taken on the other node.
        let early = await survivor.connect()
        let impostor = HubTests.Client(hub: survivor, id: early.0, outbox: early.1)
        await impostor.send(#"{"type":"hello","nick":"alice"}"#)
        #expect(try await impostor.expect("error")["code"] as? String == "nick_taken")

        // Only a node once confirmed alive counts as gone when its queue disappears.
        while await !survivor.peersProbedAlive.contains("doomed") {
            try await Task.sleep(for: .milliseconds(20))
        }
        // The node dies: its consumer ends and the exchange drops its queue.
        doomedRun.cancel()
        _ = await doomedRun.result
        let left = try await bob.expect("presence")
        #expect(left["user"] as? String == "alice")
        #expect(left["event"] as? String == "leave")

        let again = await survivor.connect()
        let returning = HubTests.Client(hub: survivor, id: again.0, outbox: again.1)
        await returning.send(#"{"type":"hello","nick":"alice"}"#)
        let welcome = try await returning.expect("welcome")
        #expect(welcome["user"] as? String == "alice")
    }
}
