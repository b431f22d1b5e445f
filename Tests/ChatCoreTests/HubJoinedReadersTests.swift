import ChatCore
import Testing

/// `joined` says who has read how far: by name in rooms of up to 50 readers, and past that the
/// first 50 with `readsComplete: false`, so the client shows a count instead of names.
@Suite("Hub: the readers a join lists", .timeLimit(.minutes(1)))
struct HubJoinedReadersTests {
    static func joined(readers: Int) async throws -> [String: Any] {
        let store = InMemoryMessageStore()
        let room = Conversation.room("big")
        _ = try await store.append(
            MessageDraft(
                conversation: room, from: "host", text: "read me", clientID: "h1", timestamp: ChatClock.wallMillis()))
        for index in 0..<readers {
            _ = try await store.markRead(user: "reader\(index)", in: room, upTo: 1)
        }
        var frame: [String: Any] = [:]
        try await HubTests.withNodes(1, store: store) { hubs, _ in
            let alice = try await HubTests.connect(hubs[0], as: "alice")
            await alice.send(#"{"type":"join","room":"big"}"#)
            frame = try await HubMessageChangeTests.skipTo("joined", alice)
        }
        return frame
    }

    @Test("up to 50 readers: each by name with their seq, and the list is complete")
    func namesUpToFifty() async throws {
        let joined = try await Self.joined(readers: 50)
        let reads = try #require(joined["reads"] as? [[String: Any]])
        #expect(reads.count == 50)
        #expect(Set(reads.compactMap { $0["user"] as? String }) == Set((0..<50).map { "reader\($0)" }))
        #expect(reads.allSatisfy { $0["seq"] as? Int == 1 })
        #expect(joined["readsComplete"] as? Bool == true)
    }

    @Test("51 readers: 50 listed and readsComplete false")
    func countAboveFifty() async throws {
        let joined = try await Self.joined(readers: 51)
        #expect((joined["reads"] as? [[String: Any]])?.count == 50)
        #expect(joined["readsComplete"] as? Bool == false)
    }
}
