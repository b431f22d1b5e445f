import ChatCore
import Foundation
import Logging
import NIOCore
import Synchronization
import Testing

/// The hub as a value-level component: two hubs (two nodes) sharing one in-process exchange, as
/// two servers share RabbitMQ, with sessions driven through their outboxes.
@Suite("Hub", .timeLimit(.minutes(1)))
struct HubTests {
    /// One connected session of a hub.
    struct Client {
        let hub: Hub
        let id: SessionID
        let outbox: SessionOutbox
        /// Frames read from the outbox but not yet consumed by the test: this client's own, so a
        /// later test's outbox at a reused address never sees them.
        let pending = Buffer()

        func send(_ json: String) async {
            await hub.receive(Array(json.utf8), from: id)
        }

        /// The next frame; fails after 5 s instead of hanging.
        ///
        /// One pump task per client drains the outbox into `pending` (the outbox has a single
        /// consumer, and waiting on it cannot be cancelled), so a frame that never comes fails
        /// the test after 5 s rather than hanging it.
        func next() async throws -> [String: Any] {
            pending.startPump(from: outbox)
            let deadline = ContinuousClock.now + .seconds(5)
            var raw = pending.pop()
            while raw == nil, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(1))
                raw = pending.pop()
            }
            let text = try #require(raw, "no frame within 5 s")
            return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        }

        func expect(_ type: String, skipping: Set<String> = []) async throws -> [String: Any] {
            while true {
                let frame = try await next()
                if frame["type"] as? String == type { return frame }
                guard skipping.contains(frame["type"] as? String ?? "") else {
                    Issue.record("expected \(type), got \(frame)")
                    return frame
                }
            }
        }
    }

    /// Frames read from an outbox but not yet consumed by the test, as JSON text.
    final class Buffer: Sendable {
        private let frames = Mutex<[String]>([])
        private let pumping = Mutex(false)

        /// Starts, once, the task that moves the outbox's frames here; it ends with the outbox.
        func startPump(from outbox: SessionOutbox) {
            let start = pumping.withLock { started in
                defer { started = true }
                return !started
            }
            guard start else { return }
            Task {
                while let item = await outbox.next() {
                    switch item {
                    case .frames(let frames):
                        for frame in frames { self.push(String(buffer: frame)) }
                    case .close(let code, _):
                        self.push(#"{"type":"closed","code":\#(code.rawValue)}"#)
                    }
                }
            }
        }

        func push(_ frame: String) {
            frames.withLock { $0.append(frame) }
        }
        func pop() -> String? {
            frames.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        }
    }

    static func withNodes(
        _ count: Int, limits: ChatLimits = .init(), presenceBatch: Duration = .milliseconds(25),
        presenceGrace: Duration = .zero, store: InMemoryMessageStore = InMemoryMessageStore(),
        _ body: ([Hub], InProcessExchange) async throws -> Void
    ) async throws {
        let exchange = InProcessExchange()
        let hubs = (0..<count).map { index in
            Hub(
                configuration: .init(
                    nodeID: "node\(index)", limits: limits, typingSweep: .milliseconds(100),
                    presenceBatch: presenceBatch,
                    presenceGrace: presenceGrace),
                store: store,
                broker: exchange.makeBroker(), logger: Logger(label: "hub-test"))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for hub in hubs { group.addTask { try await hub.run() } }
            // Wait until each hub has bound its cluster topics (cluster.#, room.*.presence and its
            // node.<id>.alive), so presence flows from the start.
            while exchange.bindingCounts.filter({ $0 >= 3 }).count < count { await Task.yield() }
            // The hubs run until cancelled: a body that throws must stop them too, or the group
            // waits for them forever and the failure shows as a hang.
            defer { group.cancelAll() }
            try await body(hubs, exchange)
        }
    }

    static func connect(_ hub: Hub, as nick: String) async throws -> Client {
        let (id, outbox) = await hub.connect()
        let client = Client(hub: hub, id: id, outbox: outbox)
        await client.send(#"{"type":"hello","nick":"\#(nick)"}"#)
        _ = try await client.expect("welcome")
        return client
    }

    @Test("rooms span nodes: messages, presence counts and member lists")
    func roomAcrossNodes() async throws {
        try await Self.withNodes(2) { hubs, _ in
            let alice = try await Self.connect(hubs[0], as: "alice")
            let bob = try await Self.connect(hubs[1], as: "bob")
            await alice.send(#"{"type":"join","room":"lobby"}"#)
            let aliceJoined = try await alice.expect("joined")
            #expect(aliceJoined["online"] as? Int == 1)
            await bob.send(#"{"type":"join","room":"lobby"}"#)
            let bobJoined = try await bob.expect("joined")
            #expect(bobJoined["members"] as? [String] == ["alice", "bob"])
            let presence = try await alice.expect("presence")
            #expect(presence["user"] as? String == "bob")
            #expect(presence["online"] as? Int == 2)

            await bob.send(#"{"type":"send","room":"lobby","text":"hello from node1","cid":"b1"}"#)
            let message = try await alice.expect("message")
            #expect(message["from"] as? String == "bob")
            #expect(message["seq"] as? Int == 1)
            let ack = try await bob.expect("ack", skipping: ["message"])
            #expect(ack["seq"] as? Int == 1)
            #expect(await hubs[0].roomCounts().first?.online == 2)
            #expect(await hubs[1].roomCounts().first?.online == 2)

            await hubs[1].disconnect(bob.id)
            let left = try await alice.expect("presence")
            #expect(left["event"] as? String == "leave")
            #expect(left["online"] as? Int == 1)
        }
    }

    @Test("large rooms get online counts instead of per-user presence, and a member sample in joined")
    func largeRoomPresence() async throws {
        let limits = ChatLimits(presenceDetailLimit: 2, joinedMembersSample: 1)
        // Each transition on its own (no batch window): this test follows the room across the
        // detail limit step by step; PresenceBurstTests covers batches.
        try await Self.withNodes(2, limits: limits, presenceBatch: .zero) { hubs, _ in
            var clients: [Client] = []
            for (index, nick) in ["u1", "u2", "u3", "u4"].enumerated() {
                let client = try await Self.connect(hubs[index % 2], as: nick)
                await client.send(#"{"type":"join","room":"big"}"#)
                let joined = try await client.expect("joined")
                #expect(joined["online"] as? Int == index + 1, "\(joined)")
                let members = try #require(joined["members"] as? [String])
                if index + 1 <= 2 {
                    #expect(joined["membersComplete"] as? Bool == true)
                    #expect(members.count == index + 1)
                } else {
                    // A large room: a sample of one plus the joiner, and the flag says so.
                    #expect(joined["membersComplete"] as? Bool == false)
                    #expect(members.count == 2 && members.contains(nick), "\(members)")
                }
                clients.append(client)
            }
            // u1 saw u2 join one by one (2 online: still small).
            let first = try await clients[0].expect("presence")
            #expect(first["user"] as? String == "u2")
            #expect(first["event"] as? String == "join")
            // Then the room grew past the limit: u3 and u4 show up only as a count, coalesced.
            var count = try await clients[0].expect("presence")
            #expect(count["event"] as? String == "count")
            #expect(count["user"] == nil)
            if count["online"] as? Int == 3 { count = try await clients[0].expect("presence") }
            #expect(count["online"] as? Int == 4)
            #expect(count["event"] as? String == "count")
            // Leaving a large room is a count too.
            await hubs[1].disconnect(clients[3].id)
            let afterLeave = try await clients[0].expect("presence")
            #expect(afterLeave["event"] as? String == "count")
            #expect(afterLeave["online"] as? Int == 3)
        }
    }

    @Test("DMs cross nodes and reach both parties' sessions; nick uniqueness spans nodes")
    func directAcrossNodes() async throws {
        try await Self.withNodes(2) { hubs, _ in
            let alice = try await Self.connect(hubs[0], as: "alice")
            let bob = try await Self.connect(hubs[1], as: "bob")
            // The other node knows alice is online, so her nick is taken there.
            let (otherID, otherOutbox) = await hubs[1].connect()
            let impostor = Client(hub: hubs[1], id: otherID, outbox: otherOutbox)
            await impostor.send(#"{"type":"hello","nick":"alice"}"#)
            let refused = try await impostor.expect("error")
            #expect(refused["code"] as? String == "nick_taken")

            await alice.send(#"{"type":"send","to":"bob","text":"psst","cid":"d1"}"#)
            let received = try await bob.expect("message")
            #expect(received["from"] as? String == "alice")
            #expect(received["to"] as? String == "bob")
            let echo = try await alice.expect("message", skipping: ["ack"])
            #expect(echo["text"] as? String == "psst")
        }
    }

    @Test("bindings follow interest: one per room per node, removed with the last member")
    func bindingsFollowInterest() async throws {
        try await Self.withNodes(1) { hubs, exchange in
            let baseline = exchange.bindingCounts.reduce(0, +)  // cluster.#
            let a = try await Self.connect(hubs[0], as: "a")
            let b = try await Self.connect(hubs[0], as: "b")
            #expect(exchange.bindingCounts.reduce(0, +) == baseline + 2)  // user.a.#, user.b.#
            await a.send(#"{"type":"join","room":"r"}"#)
            _ = try await a.expect("joined")
            await b.send(#"{"type":"join","room":"r"}"#)
            _ = try await b.expect("joined")
            #expect(exchange.bindingCounts.reduce(0, +) == baseline + 3, "one room binding for two members")
            await a.send(#"{"type":"leave","room":"r"}"#)
            _ = try await a.expect("left", skipping: ["presence"])
            #expect(exchange.bindingCounts.reduce(0, +) == baseline + 3)
            await hubs[0].disconnect(b.id)
            #expect(exchange.bindingCounts.reduce(0, +) == baseline + 1, "room and user.b bindings are gone")
            #expect(baseline == 3, "cluster.#, room.*.presence and node.<id>.alive")
        }
    }

    @Test("a typing start that is not refreshed expires into a stop")
    func typingExpiry() async throws {
        var limits = ChatLimits()
        limits.typingExpiry = .milliseconds(300)
        try await Self.withNodes(2, limits: limits) { hubs, _ in
            let alice = try await Self.connect(hubs[0], as: "alice")
            let bob = try await Self.connect(hubs[1], as: "bob")
            await alice.send(#"{"type":"join","room":"t"}"#)
            _ = try await alice.expect("joined")
            await bob.send(#"{"type":"join","room":"t"}"#)
            _ = try await bob.expect("joined")
            await alice.send(#"{"type":"typing","room":"t","state":"start"}"#)
            let start = try await bob.expect("typing")
            #expect(start["state"] as? String == "start")
            let stop = try await bob.expect("typing")
            #expect(stop["state"] as? String == "stop")
            #expect(stop["user"] as? String == "alice")
        }
    }
}
