import ChatCore
import ChatServer
import Foundation
import Testing

/// Rooms over real WebSockets: ordering, acks, presence, receipts, resume and history.
@Suite("Room chat over /ws", .timeLimit(.minutes(2)))
struct RoomChatTests {
    @Test("clients in a room see every message in seq order with the right sender, and acks carry the stored seq")
    func messagesInOrderWithAcks() async throws {
        try await TestServer.with { port, _ in
            let names = ["alice", "bob", "carol", "dave"]
            var clients: [TestChatClient] = []
            for name in names {
                let client = try await TestChatClient.connect(port: port, name: name)
                try await client.hello(name)
                try await client.join("lobby")
                clients.append(client)
            }
            // Everyone sends three messages, interleaved, without waiting for acks.
            for round in 0..<3 {
                for (index, client) in clients.enumerated() {
                    let text = "\(names[index]) says \(round)"
                    try await client.send(["type": "send", "room": "lobby", "text": text, "cid": "c\(round)"])
                }
            }
            var ackedSeqs: [Int] = []
            var seqByText: [String: Int] = [:]
            for client in clients {
                var seen: [(seq: Int, from: String, text: String)] = []
                var acks: [TestChatClient.Frame] = []
                while seen.count < 12 || acks.count < 3 {
                    let frame = try await client.next()
                    switch frame.type {
                    case "message": seen.append((frame.int("seq")!, frame.string("from")!, frame.string("text")!))
                    case "ack": acks.append(frame)
                    case "presence": continue
                    default: Issue.record("\(client.name) got unexpected \(frame)")
                    }
                }
                #expect(seen.map(\.seq) == Array(1...12), "\(client.name) sees seqs in order")
                for entry in seen {
                    #expect(entry.text.hasPrefix(entry.from + " says"), "from is the real sender")
                    if let known = seqByText[entry.text] { #expect(known == entry.seq) }
                    seqByText[entry.text] = entry.seq
                }
                #expect(acks.compactMap { $0.string("cid") } == ["c0", "c1", "c2"])
                for ack in acks {
                    let seq = try #require(ack.int("seq"))
                    ackedSeqs.append(seq)
                    // The ack's seq is the seq everyone saw for this sender's message.
                    let round = ack.string("cid")!.dropFirst()
                    #expect(seen.first { $0.text == "\(client.name) says \(round)" }?.seq == seq)
                }
            }
            #expect(ackedSeqs.sorted() == Array(1...12), "acks carry the gap-free stored seqs")
            for client in clients { await client.close() }
        }
    }

    @Test("presence: online counts rise on join and fall on leave, and on disconnect once the presence grace is over")
    func presenceCounts() async throws {
        // A short grace: the closed socket's leave comes once it is over (10 s by default).
        var configuration = ServerConfiguration()
        configuration.presenceGrace = .seconds(1)
        try await TestServer.with(configuration) { port, _ in
            let alice = try await TestChatClient.connect(port: port, name: "alice")
            try await alice.hello("alice")
            let joined = try await alice.join("den")
            #expect(joined.int("online") == 1)
            #expect(joined["members"] as? [String] == ["alice"])

            let bob = try await TestChatClient.connect(port: port, name: "bob")
            try await bob.hello("bob")
            let bobJoined = try await bob.join("den")
            #expect(bobJoined.int("online") == 2)
            #expect(bobJoined["members"] as? [String] == ["alice", "bob"])
            var presence = try await alice.expect("presence", skipping: [])
            #expect(presence.string("user") == "bob")
            #expect(presence.string("event") == "join")
            #expect(presence.int("online") == 2)

            let carol = try await TestChatClient.connect(port: port, name: "carol")
            try await carol.hello("carol")
            try await carol.join("den")
            presence = try await alice.expect("presence", skipping: [])
            #expect(presence.string("user") == "carol")
            #expect(presence.int("online") == 3)

            let rooms = try await HTTP.getJSON(port: port, path: "/api/rooms") as? [[String: Any]]
            #expect(rooms?.first { $0["name"] as? String == "den" }?["online"] as? Int == 3)

            try await bob.send(["type": "leave", "room": "den"])
            _ = try await bob.expect("left")
            presence = try await alice.expect("presence", skipping: [])
            #expect(presence.string("user") == "bob")
            #expect(presence.string("event") == "leave")
            #expect(presence.int("online") == 2)

            await carol.close()
            presence = try await alice.expect("presence", skipping: [])
            #expect(presence.string("user") == "carol")
            #expect(presence.string("event") == "leave")
            #expect(presence.int("online") == 1)
            await alice.close()
            await bob.close()
        }
    }

    @Test("send is idempotent per cid: a retry gets the same id and seq and no second message")
    func idempotentSend() async throws {
        try await TestServer.with { port, _ in
            let alice = try await TestChatClient.connect(port: port, name: "alice")
            try await alice.hello("alice")
            try await alice.join("r1")
            let frame: [String: Any] = ["type": "send", "room": "r1", "text": "once", "cid": "same"]
            try await alice.send(frame)
            let first = try await alice.expect("ack", skipping: ["message", "presence"])
            try await alice.send(frame)
            let second = try await alice.expect("ack", skipping: ["message", "presence"])
            #expect(first.string("id") == second.string("id"))
            #expect(first.int("seq") == 1 && second.int("seq") == 1)
            #expect(second["duplicate"] as? Bool == true)
            try await alice.send(["type": "send", "room": "r1", "text": "other text", "cid": "same"])
            let conflict = try await alice.expect("error", skipping: ["message", "presence"])
            #expect(conflict.string("code") == "cid_conflict")
            let history = try await Self.history(alice, room: "r1")
            #expect(history.map { $0["text"] as? String } == ["once"])
            await alice.close()
        }
    }

    @Test("join with since delivers exactly the missed messages; an impossible since says recovered false")
    func joinSince() async throws {
        try await TestServer.with { port, _ in
            let alice = try await TestChatClient.connect(port: port, name: "alice")
            try await alice.hello("alice")
            try await alice.join("r2")
            for i in 1...5 {
                try await alice.send(["type": "send", "room": "r2", "text": "m\(i)", "cid": "k\(i)"])
                _ = try await alice.expect("ack", skipping: ["message", "presence"])
            }
            let bob = try await TestChatClient.connect(port: port, name: "bob")
            try await bob.hello("bob")
            let resumed = try await bob.join("r2", since: 2)
            #expect(resumed["recovered"] as? Bool == true)
            let seqs = (resumed["messages"] as? [[String: Any]])?.compactMap { $0["seq"] as? Int }
            #expect(seqs == [3, 4, 5])
            #expect(resumed.int("lastSeq") == 5)
            try await bob.send(["type": "leave", "room": "r2"])
            _ = try await bob.expect("left")

            let ahead = try await bob.join("r2", since: 99)
            #expect(ahead["recovered"] as? Bool == false)
            #expect(ahead.string("reason") == "since_ahead_of_history")

            // Live messages follow the backlog with no gap and no duplicate.
            try await alice.send(["type": "send", "room": "r2", "text": "m6", "cid": "k6"])
            let live = try await bob.expect("message")
            #expect(live.int("seq") == 6)
            await alice.close()
            await bob.close()
        }
    }

    @Test("history pages are newest first, capped, and say whether more exist")
    func historyPages() async throws {
        try await TestServer.with { port, _ in
            let alice = try await TestChatClient.connect(port: port, name: "alice")
            try await alice.hello("alice")
            try await alice.join("r3")
            for i in 1...10 {
                try await alice.send(["type": "send", "room": "r3", "text": "h\(i)", "cid": "h\(i)"])
                _ = try await alice.expect("ack", skipping: ["message", "presence"])
            }
            _ = try await alice.sync()
            try await alice.send(["type": "history", "room": "r3", "limit": 3])
            let page = try await alice.expect("history")
            #expect((page["messages"] as? [[String: Any]])?.compactMap { $0["seq"] as? Int } == [10, 9, 8])
            #expect(page["hasMore"] as? Bool == true)
            try await alice.send(["type": "history", "room": "r3", "before": 3])
            let last = try await alice.expect("history")
            #expect((last["messages"] as? [[String: Any]])?.compactMap { $0["seq"] as? Int } == [2, 1])
            #expect(last["hasMore"] as? Bool == false)
            await alice.close()
        }
    }

    @Test("read sends a receipt to the room's members")
    func receipts() async throws {
        try await TestServer.with { port, _ in
            let alice = try await TestChatClient.connect(port: port, name: "alice")
            try await alice.hello("alice")
            try await alice.join("r4")
            let bob = try await TestChatClient.connect(port: port, name: "bob")
            try await bob.hello("bob")
            try await bob.join("r4")
            try await alice.send(["type": "send", "room": "r4", "text": "read me", "cid": "x"])
            let message = try await bob.expect("message")
            try await bob.send(["type": "read", "room": "r4", "seq": message.int("seq")!])
            let receipt = try await alice.expect("receipt", skipping: ["presence", "ack", "message"])
            #expect(receipt.string("user") == "bob")
            #expect(receipt.int("seq") == 1)
            #expect(receipt.string("room") == "r4")
            await alice.close()
            await bob.close()
        }
    }

    static func history(_ client: TestChatClient, room: String) async throws -> [[String: Any]] {
        try await client.send(["type": "history", "room": room])
        let page = try await client.expect("history", skipping: ["message", "presence"])
        return page["messages"] as? [[String: Any]] ?? []
    }
}
