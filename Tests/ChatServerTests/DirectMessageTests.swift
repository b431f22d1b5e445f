import ChatCore
import ChatServer
import Foundation
import Testing

/// Direct messages and typing over real WebSockets.
@Suite("Direct messages and typing over /ws", .timeLimit(.minutes(2)))
struct DirectMessageTests {
    @Test("a DM reaches only its two parties, with from and to set by the server")
    func directMessagePrivacy() async throws {
        try await TestServer.with { port, _ in
            let alice = try await TestChatClient.connect(port: port, name: "alice")
            try await alice.hello("alice")
            let bob = try await TestChatClient.connect(port: port, name: "bob")
            try await bob.hello("bob")
            let carol = try await TestChatClient.connect(port: port, name: "carol")
            try await carol.hello("carol")
            // Carol is in a room with both, to prove room traffic and DMs do not mix.
            for client in [alice, bob, carol] { try await client.join("shared") }

            try await alice.send(["type": "send", "to": "bob", "text": "psst", "cid": "dm1", "from": "carol"])
            let message = try await bob.expect("message")
            #expect(message.string("from") == "alice", "the server sets from; the client's `from` is ignored")
            #expect(message.string("to") == "bob")
            #expect(message.string("text") == "psst")
            #expect(message["room"] == nil)
            #expect(message.int("seq") == 1)
            let ack = try await alice.expect("ack", skipping: ["presence", "message"])
            #expect(ack.string("to") == "bob")
            #expect(ack.int("seq") == 1)

            // Bob answers; the DM conversation has its own gap-free seq.
            try await bob.send(["type": "send", "to": "alice", "text": "hi", "cid": "dm2"])
            var reply = try await alice.expect("message", skipping: ["presence", "ack"])
            if reply.string("text") == "psst" {
                reply = try await alice.expect("message", skipping: ["presence", "ack"])
            }
            #expect(reply.string("from") == "bob")
            #expect(reply.int("seq") == 2)

            let carolSaw = try await carol.sync()
            #expect(!carolSaw.contains { $0.type == "message" }, "carol saw no DM: \(carolSaw)")

            // DM history is open to the parties.
            try await bob.send(["type": "history", "peer": "alice"])
            let history = try await bob.expect("history", skipping: ["presence", "ack", "message"])
            #expect((history["messages"] as? [[String: Any]])?.compactMap { $0["text"] as? String } == ["hi", "psst"])
            for client in [alice, bob, carol] { await client.close() }
        }
    }

    @Test("typing shows to the others and expires without a stop")
    func typingExpires() async throws {
        var configuration = ServerConfigurationFactory.make()
        configuration.limits.typingExpiry = .seconds(1)
        try await TestServer.with(configuration) { port, _ in
            let alice = try await TestChatClient.connect(port: port, name: "alice")
            try await alice.hello("alice")
            try await alice.join("t")
            let bob = try await TestChatClient.connect(port: port, name: "bob")
            try await bob.hello("bob")
            try await bob.join("t")

            let started = ContinuousClock.now
            try await alice.send(["type": "typing", "room": "t", "state": "start"])
            let start = try await bob.expect("typing", skipping: ["presence"])
            #expect(start.string("user") == "alice")
            #expect(start.string("state") == "start")
            #expect(start.string("room") == "t")
            let stop = try await bob.expect("typing", skipping: ["presence"])
            #expect(stop.string("user") == "alice")
            #expect(stop.string("state") == "stop")
            #expect(ContinuousClock.now - started >= .milliseconds(900), "the stop comes from expiry, not at once")
            let aliceSaw = try await alice.sync()
            #expect(!aliceSaw.contains { $0.type == "typing" }, "the typist does not see herself typing")

            // An explicit stop is relayed at once; DM typing reaches only the peer.
            try await alice.send(["type": "typing", "to": "bob", "state": "start"])
            let dmTyping = try await bob.expect("typing", skipping: ["presence"])
            #expect(dmTyping.string("to") == "bob")
            #expect(dmTyping["room"] == nil)
            try await alice.send(["type": "typing", "to": "bob", "state": "stop"])
            let dmStop = try await bob.expect("typing", skipping: ["presence"])
            #expect(dmStop.string("state") == "stop")
            await alice.close()
            await bob.close()
        }
    }
}
