import Foundation
import TestSupport
import Testing

/// Several real server processes sharing rooms through RabbitMQ (issue: multi-node rooms).
@Suite("MultiNode: rooms across server processes", MultiNodeCluster.required, .serialized, .timeLimit(.minutes(3)))
struct MultiNodeTests {
    @Test("clients on two nodes chat in a room and by DM, and see typing, receipts and presence")
    func chatAcrossNodes() async throws {
        try await MultiNodeCluster.with(nodes: 2) { nodes in
            let room = MultiNodeCluster.unique("room")
            let aliceName = MultiNodeCluster.unique("alice")
            let bobName = MultiNodeCluster.unique("bob")
            let alice = try await TestChatClient.connect(port: nodes[0].port, name: "alice")
            try await alice.hello(aliceName)
            let bob = try await TestChatClient.connect(port: nodes[1].port, name: "bob")
            try await bob.hello(bobName)
            try await alice.join(room)
            let bobJoined = try await bob.join(room)
            #expect(bobJoined["members"] as? [String] == [aliceName, bobName].sorted())
            #expect(bobJoined.int("online") == 2)
            let presence = try await alice.expect("presence", skipping: [])
            #expect(presence.string("user") == bobName)
            #expect(presence.int("online") == 2)

            try await alice.send(["type": "send", "room": room, "text": "hi from node 0", "cid": "a1"])
            let atBob = try await bob.expect("message")
            #expect(atBob.string("from") == aliceName)
            #expect(atBob.int("seq") == 1)
            let ack = try await alice.expect("ack", skipping: ["message", "presence"])
            #expect(ack.int("seq") == 1)
            try await bob.send(["type": "send", "room": room, "text": "hi from node 1", "cid": "b1"])
            var atAlice = try await alice.expect("message", skipping: ["ack", "presence"])
            if atAlice.int("seq") == 1 { atAlice = try await alice.expect("message", skipping: ["ack", "presence"]) }
            #expect(atAlice.string("from") == bobName)
            #expect(atAlice.int("seq") == 2)

            // Typing and receipts cross nodes.
            try await alice.send(["type": "typing", "room": room, "state": "start"])
            let typing = try await bob.expect("typing", skipping: ["ack", "message"])
            #expect(typing.string("user") == aliceName)
            try await alice.send(["type": "read", "room": room, "seq": 2])
            let receipt = try await bob.expect("receipt", skipping: ["ack", "message", "typing"])
            #expect(receipt.string("user") == aliceName)
            #expect(receipt.int("seq") == 2)

            // DMs cross nodes; the online directory spans nodes.
            try await bob.send(["type": "send", "to": aliceName, "text": "psst", "cid": "d1"])
            let dm = try await alice.expect("message", skipping: ["ack", "presence", "typing", "receipt"])
            #expect(dm.string("from") == bobName)
            #expect(dm.string("to") == aliceName)
            #expect(dm.string("text") == "psst")

            // A nick online on one node is taken on the other.
            let impostor = try await TestChatClient.connect(port: nodes[1].port, name: "impostor")
            try await impostor.send(["type": "hello", "nick": aliceName])
            let refused = try await impostor.expect("error")
            #expect(refused.string("code") == "nick_taken")

            for client in [alice, bob, impostor] { await client.close() }
        }
    }

    @Test("a read on one node clears the badge of the same user's session on the other (read_state)")
    func readStateAcrossNodes() async throws {
        try await MultiNodeCluster.with(nodes: 2) { nodes in
            let room = MultiNodeCluster.unique("room")
            let aliceName = MultiNodeCluster.unique("alice")
            let token = try await AccountTestClient.register(port: nodes[0].port, aliceName)
            let phone = try await TestChatClient.connect(port: nodes[0].port, name: "phone")
            try await phone.hello(token: token)
            try await phone.join(room)
            let laptop = try await TestChatClient.connect(port: nodes[1].port, name: "laptop")
            try await laptop.hello(token: token)
            try await laptop.join(room)
            let bob = try await TestChatClient.connect(port: nodes[1].port, name: "bob")
            try await bob.hello(MultiNodeCluster.unique("bob"))
            try await bob.join(room)
            for cid in ["b1", "b2"] {
                try await bob.send(["type": "send", "room": room, "text": "news \(cid)", "cid": cid])
                _ = try await bob.expect("ack", skipping: ["message", "presence"])
            }
            _ = try await phone.expect("message", skipping: ["presence"])
            try await phone.send(["type": "read", "room": room, "seq": 2])
            let cleared = try await laptop.expect("read_state", skipping: ["message", "presence", "receipt"])
            #expect(cleared.string("room") == room)
            #expect(cleared.int("seq") == 2)
            for client in [phone, laptop, bob] { await client.close() }
        }
    }

    @Test("a node killed with SIGKILL has its users dropped from presence within the bound")
    func deadNodeExpires() async throws {
        try await MultiNodeCluster.with(nodes: 2, presenceInterval: 1) { nodes in
            let room = MultiNodeCluster.unique("wake")
            let alice = try await TestChatClient.connect(port: nodes[0].port, name: "alice")
            try await alice.hello(MultiNodeCluster.unique("alice"))
            try await alice.join(room)
            let bob = try await TestChatClient.connect(port: nodes[1].port, name: "bob")
            let bobName = MultiNodeCluster.unique("bob")
            try await bob.hello(bobName)
            try await bob.join(room)
            let joined = try await alice.expect("presence", skipping: [])
            #expect(joined.string("event") == "join")

            let killedAt = ContinuousClock.now
            nodes[1].kill()
            // Three silent 1 s intervals plus one sweep: the documented bound is 4 s here.
            let left = try await alice.expect("presence", skipping: [], timeout: .seconds(20))
            #expect(left.string("user") == bobName)
            #expect(left.string("event") == "leave")
            #expect(left.int("online") == 1)
            #expect(ContinuousClock.now - killedAt < .seconds(15))
            await alice.close()
        }
    }

    @Test("with 200 clients over two nodes RabbitMQ sees exactly two connections and one queue per node")
    func connectionsPerNode() async throws {
        try await MultiNodeCluster.with(nodes: 2) { nodes in
            let room = MultiNodeCluster.unique("crowd")
            // Connect in parallel batches: 200 sequential handshakes are slow on a loaded machine.
            var clients: [TestChatClient] = []
            for batch in stride(from: 0, to: 200, by: 25) {
                let joined = try await withThrowingTaskGroup(of: TestChatClient.self) { group in
                    for index in batch..<(batch + 25) {
                        group.addTask {
                            let client = try await TestChatClient.connect(
                                port: nodes[index % 2].port, name: "c\(index)")
                            try await client.hello(MultiNodeCluster.unique("u\(index)"))
                            try await client.join(room)
                            return client
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                clients.append(contentsOf: joined)
            }
            #expect(clients.count == 200)

            let connections = try await RabbitMQCtl.run([
                "-q", "list_connections", "pid", "client_properties", "--formatter", "json",
            ])
            let queues = try await RabbitMQCtl.run([
                "-q", "list_queues", "name", "owner_pid", "exclusive", "--formatter", "json",
            ])
            let connectionList = try #require(
                try JSONSerialization.jsonObject(with: Data(connections.utf8)) as? [[String: Any]])
            let queueList = try #require(try JSONSerialization.jsonObject(with: Data(queues.utf8)) as? [[String: Any]])
            for node in nodes {
                let pids = connectionList.filter { entry in
                    "\(entry["client_properties"] ?? "")".contains(node.nodeID)
                }.compactMap { $0["pid"] as? String }
                #expect(pids.count == 2, "node \(node.nodeID) holds \(pids.count) AMQP connections")
                let owned = queueList.filter { pids.contains($0["owner_pid"] as? String ?? "") }
                #expect(owned.count == 1, "node \(node.nodeID) owns \(owned.count) queues")
            }
            for client in clients { await client.close() }
        }
    }

    @Test("SIGTERM closes sessions with 1012 and the process exits 0")
    func sigterm() async throws {
        try await MultiNodeCluster.with(nodes: 1) { nodes in
            let client = try await TestChatClient.connect(port: nodes[0].port)
            try await client.hello(MultiNodeCluster.unique("bye"))
            let status = await nodes[0].terminate()
            #expect(try await client.expectClose() == 1012)
            #expect(status == 0)
        }
    }
}
