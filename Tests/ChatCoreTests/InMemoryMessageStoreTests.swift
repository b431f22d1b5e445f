import ChatCore
import Testing

@Suite("InMemoryMessageStore")
struct InMemoryMessageStoreTests {
    func draft(_ conversation: Conversation, _ from: String, _ text: String, cid: String) -> MessageDraft {
        MessageDraft(conversation: conversation, from: from, text: text, clientID: cid, timestamp: 1)
    }

    @Test("seq is gap-free per conversation under concurrent appends")
    func gapFree() async throws {
        let store = InMemoryMessageStore()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for i in 0..<50 {
                        _ = try await store.append(self.draft(.room("r"), "u\(worker)", "m\(i)", cid: "\(i)"))
                    }
                }
            }
            try await group.waitForAll()
        }
        let all = try await store.messages(in: .room("r"), after: 0, limit: 1000)
        #expect(all.map(\.seq) == Array(1...200))
        #expect(try await store.state(of: .room("r")).lastSeq == 200)
        #expect(try await store.messages(in: .room("other"), after: 0, limit: 10).isEmpty)
    }

    @Test("append is idempotent per sender and cid; a conflicting reuse is refused")
    func idempotence() async throws {
        let store = InMemoryMessageStore()
        let first = try await store.append(draft(.room("r"), "al", "hi", cid: "c"))
        let again = try await store.append(draft(.room("r"), "al", "hi", cid: "c"))
        #expect(!first.duplicate)
        #expect(again.duplicate)
        #expect(again.message == first.message)
        // Another user may use the same cid.
        #expect(try await store.append(draft(.room("r"), "bo", "hi", cid: "c")).message.seq == 2)
        await #expect(throws: StoreError.self) {
            _ = try await store.append(self.draft(.room("r"), "al", "different", cid: "c"))
        }
    }

    @Test("pages before and after, and pruning is reported through the available range")
    func paging() async throws {
        let store = InMemoryMessageStore(retainPerConversation: 5)
        let dm = Conversation.direct(between: "zed", and: "amy")
        #expect(dm == .direct("amy", "zed"))
        for i in 1...8 { _ = try await store.append(draft(dm, "amy", "m\(i)", cid: "\(i)")) }
        let state = try await store.state(of: dm)
        #expect(state.lastSeq == 8)
        #expect(state.firstAvailableSeq == 4)
        #expect(try await store.messages(in: dm, after: 5, limit: 2).map(\.seq) == [6, 7])
        #expect(try await store.messages(in: dm, after: 0, limit: 100).map(\.seq) == [4, 5, 6, 7, 8])
        #expect(try await store.messages(in: dm, before: nil, limit: 3).map(\.seq) == [8, 7, 6])
        #expect(try await store.messages(in: dm, before: 6, limit: 10).map(\.seq) == [5, 4])
        #expect(try await store.messages(in: dm, before: 1, limit: 10).isEmpty)
    }

    @Test("read positions never move backwards")
    func readPositions() async throws {
        let store = InMemoryMessageStore()
        #expect(try await store.markRead(user: "al", in: .room("r"), upTo: 5) == 5)
        #expect(try await store.markRead(user: "al", in: .room("r"), upTo: 3) == 5)
        #expect(try await store.markRead(user: "bo", in: .room("r"), upTo: 1) == 1)
    }
}
