import Foundation
import Synchronization
import TestSupport
import Testing

/// SockJS HTTP transports across real server processes on the real RabbitMQ, with every request
/// going to the next node in turn (a plain round-robin load balancer, no sticky sessions).
///
/// Needs only the shared RabbitMQ and PostgreSQL, like `MultiNodeTests`, so it runs in the first
/// test phase.
@Suite("MultiNode SockJS: no sticky sessions", MultiNodeCluster.required, .serialized, .timeLimit(.minutes(3)))
struct MultiNodeSockJSTests {
    static func texts(_ frames: [[String: Any]], type: String = "message") -> [String] {
        frames.filter { $0["type"] as? String == type }.compactMap { $0["text"] as? String }
    }

    @Test("xhr polling + xhr_send alternating between two nodes: delivery, order, and a /ws client on the other node")
    func pollingAcrossNodes() async throws {
        try await MultiNodeCluster.with(nodes: 2) { nodes in
            let ports = nodes.map(\.port)
            let room = MultiNodeCluster.unique("rr-poll")
            let nativeName = MultiNodeCluster.unique("native")
            let browserName = MultiNodeCluster.unique("browser")
            let native = try await TestChatClient.connect(port: ports[1], name: "native")
            try await native.hello(nativeName)
            try await native.join(room)

            let client = RoundRobinSockJSClient(ports: ports)
            // Unknown session: a send is 404 whichever node gets it (no node owns it).
            #expect(try await client.post("xhr_send", body: #"["x"]"#).status == 404)
            #expect(try await client.post("xhr_send", body: #"["x"]"#).status == 404)
            // Opened on node 0; from here on, every other request reaches node 1 and is forwarded.
            #expect(try await client.post("xhr").body == "o\n")
            try await client.send([["type": "hello", "nick": browserName]])
            let welcome = try await client.pollUntil { $0.contains { $0["type"] as? String == "welcome" } }
            #expect(welcome.first { $0["type"] as? String == "welcome" }?["user"] as? String == browserName)
            try await client.send([["type": "join", "room": room]])
            let joined = try await client.pollUntil { $0.contains { $0["type"] as? String == "joined" } }
            #expect(
                joined.first { $0["type"] as? String == "joined" }?["members"] as? [String]
                    == [browserName, nativeName].sorted())

            // Six messages, each sent through the next node; the echoes come back in order.
            let sent = (1...6).map { "poll \($0) </script>%41" }
            for (index, text) in sent.enumerated() {
                try await client.send([["type": "send", "room": room, "text": text, "cid": "c\(index)"]])
            }
            let echoed = try await client.pollUntil {
                Self.texts($0).count >= sent.count && $0.filter { $0["type"] as? String == "ack" }.count >= sent.count
            }
            #expect(Self.texts(echoed) == sent)
            #expect(
                echoed.filter { $0["type"] as? String == "ack" }.compactMap { $0["cid"] as? String }
                    == sent.indices.map { "c\($0)" })
            // The /ws client on node 1 gets them in the same order.
            var atNative: [String] = []
            for _ in sent { atNative.append(try await native.expect("message").string("text") ?? "") }
            #expect(atNative == sent)

            // The /ws client's messages reach the polling session, in order.
            let replies = (1...4).map { "from ws \($0)" }
            for (index, text) in replies.enumerated() {
                try await native.send(["type": "send", "room": room, "text": text, "cid": "n\(index)"])
            }
            let received = try await client.pollUntil { Self.texts($0).count >= replies.count }
            #expect(Self.texts(received) == replies)

            // Both nodes served this session's requests, strictly alternating.
            let served = client.served.withLock { $0 }
            #expect(Set(served) == Set(ports))
            #expect(zip(served, served.dropFirst()).allSatisfy { $0 != $1 })
            await native.close()
        }
    }

    @Test(
        "xhr_streaming across nodes: chunks relayed as they come, the response limit ends the relayed stream, the next stream is forwarded"
    )
    func streamingAcrossNodes() async throws {
        try await MultiNodeCluster.with(nodes: 2) { nodes in
            let ports = nodes.map(\.port)
            let room = MultiNodeCluster.unique("rr-stream")
            let nativeName = MultiNodeCluster.unique("native")
            let browserName = MultiNodeCluster.unique("browser")
            let native = try await TestChatClient.connect(port: ports[0], name: "native")
            try await native.hello(nativeName)
            try await native.join(room)

            let client = RoundRobinSockJSClient(ports: ports)
            // The session opens on node 1 (its owner); sends alternate between the nodes.
            let first = try await SockJSStreamReader.open(port: ports[1], path: client.url + "/xhr_streaming")
            defer { first.close() }
            #expect(first.status == 200)
            #expect(try await first.nextFrame() == "o")
            var frames: [[String: Any]] = []
            func read(_ stream: SockJSStreamReader, until done: ([[String: Any]]) -> Bool) async throws -> Bool {
                let deadline = ContinuousClock.now + .seconds(60)
                for _ in 0..<500 where ContinuousClock.now < deadline {
                    if done(frames) { return true }
                    guard let frame = try await stream.nextFrame() else { return false }
                    frames += try RoundRobinSockJSClient.frames(in: frame)
                }
                return done(frames)
            }
            try await client.send([["type": "hello", "nick": browserName]])
            #expect(try await read(first) { $0.contains { $0["type"] as? String == "welcome" } })
            try await client.send([["type": "join", "room": room]])
            #expect(try await read(first) { $0.contains { $0["type"] as? String == "joined" } })

            // Messages near the 4000-character text limit: their echoes pass the 128 KiB response
            // limit, which ends the stream.
            let big = (1...40).map { "big \($0) " + String(repeating: "x", count: 3_900) }
            for (index, text) in big.enumerated() {
                try await client.send([["type": "send", "room": room, "text": text, "cid": "b\(index)"]])
            }
            var ended = false
            let deadline = ContinuousClock.now + .seconds(60)
            for _ in 0..<500 where ContinuousClock.now < deadline {
                guard let frame = try await first.nextFrame() else {
                    ended = true
                    break
                }
                frames += try RoundRobinSockJSClient.frames(in: frame)
            }
            // (How many echoes fit before the cut depends on how the owner batched them.)
            #expect(ended, "the response limit ends the first stream")

            // The next stream goes to node 0, which does not hold the session: relayed from node 1.
            let second = try await SockJSStreamReader.open(port: ports[0], path: client.url + "/xhr_streaming")
            defer { second.close() }
            #expect(second.status == 200)
            #expect(try await read(second) { Self.texts($0).count >= big.count })
            #expect(Self.texts(frames) == big)
            var atNative: [String] = []
            for _ in big { atNative.append(try await native.expect("message").string("text") ?? "") }
            #expect(atNative == big)

            // A /ws client's messages arrive through the relayed stream, in order.
            let replies = (1...4).map { "ws says \($0)" }
            for (index, text) in replies.enumerated() {
                try await native.send(["type": "send", "room": room, "text": text, "cid": "n\(index)"])
            }
            #expect(try await read(second) { Self.texts($0).count >= big.count + replies.count })
            #expect(Array(Self.texts(frames).suffix(replies.count)) == replies)
            await native.close()
        }
    }

    @Test("a client that leaves a relayed stream aborts the session on its owner: c[1002] from either node")
    func abortAcrossNodes() async throws {
        try await MultiNodeCluster.with(nodes: 2) { nodes in
            let ports = nodes.map(\.port)
            let client = RoundRobinSockJSClient(ports: ports)
            // Opened on node 0 (first request); the stream on node 1 is relayed from node 0.
            #expect(try await client.post("xhr").body == "o\n")
            let stream = try await SockJSStreamReader.open(port: ports[1], path: client.url + "/xhr_streaming")
            #expect(stream.status == 200)
            // A frame read back through the relay proves the owner holds the stream as receiver.
            try await client.send([["type": "hello", "nick": MultiNodeCluster.unique("leaver")]])
            let welcome = try await stream.nextFrame()
            #expect(welcome?.contains("welcome") == true)
            stream.close()

            // Until the owner hears of the abort a poll gets 2010; then every poll, on either
            // node, gets the abort's close frame. Bounded by a deadline and a count.
            let deadline = ContinuousClock.now + .seconds(30)
            var answer = ""
            for _ in 0..<300 {
                answer = try await client.post("xhr").body
                guard answer == "c[2010,\"Another connection still open\"]\n", ContinuousClock.now < deadline else {
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(answer == "c[1002,\"Connection interrupted\"]\n")
            #expect(try await client.post("xhr").body == "c[1002,\"Connection interrupted\"]\n")
        }
    }
}
