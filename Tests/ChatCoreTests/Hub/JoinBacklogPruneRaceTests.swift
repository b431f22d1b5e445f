import Foundation
import Logging
import Synchronization
import Testing

@testable import ChatCore

/// A store that prunes a conversation right after a join read its state: retention running
/// between the two reads of a `join` with `since`.
final class PruneAfterStateStore: MessageStore {
    let base = InMemoryMessageStore()
    /// How many of the oldest messages the next `state` read prunes after reading.
    private let pruneNext = Mutex(0)

    func armPrune(_ count: Int) { pruneNext.withLock { $0 = count } }

    func state(of conversation: Conversation) async throws -> ConversationState {
        let state = try await base.state(of: conversation)
        let count = pruneNext.withLock { count in
            defer { count = 0 }
            return count
        }
        if count > 0 {
            _ = try await base.pruneOldest(of: conversation, before: Int64.max, limit: count)
        }
        return state
    }

    func append(_ draft: MessageDraft) async throws -> AppendResult { try await base.append(draft) }
    func messages(in conversation: Conversation, after seq: Int64, limit: Int) async throws -> [StoredMessage] {
        try await base.messages(in: conversation, after: seq, limit: limit)
    }
    func messages(in conversation: Conversation, before seq: Int64?, limit: Int) async throws -> [StoredMessage] {
        try await base.messages(in: conversation, before: seq, limit: limit)
    }
    func markRead(user: String, in conversation: Conversation, upTo seq: Int64) async throws -> Int64 {
        try await base.markRead(user: user, in: conversation, upTo: seq)
    }
    func readPosition(of user: String, in conversation: Conversation) async throws -> Int64 {
        try await base.readPosition(of: user, in: conversation)
    }
    func readPositions(in conversation: Conversation, limit: Int) async throws -> [String: Int64] {
        try await base.readPositions(in: conversation, limit: limit)
    }
    func unreadDirectConversations(of user: String) async throws -> [UnreadConversation] {
        try await base.unreadDirectConversations(of: user)
    }
}

@Suite("A prune between a join's reads", .timeLimit(.minutes(1)))
struct JoinBacklogPruneRaceTests {
    @Test("messages pruned after the join read the state: recovered false, never a backlog with a hole")
    func pruneBetweenReads() async throws {
        let store = PruneAfterStateStore()
        let hub = Hub(
            configuration: .init(nodeID: "n"), store: store, broker: InProcessExchange().makeBroker(),
            logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await hub.run() }
            defer { group.cancelAll() }
            for n in 1...5 {
                _ = try await store.base.append(
                    MessageDraft(conversation: .room("den"), from: "w", text: "m\(n)", clientID: "c\(n)", timestamp: 1))
            }
            let (id, outbox) = await hub.connect()
            let reader = HubTests.Client(hub: hub, id: id, outbox: outbox)
            await reader.send(#"{"type":"hello","nick":"reader"}"#)
            _ = try await reader.expect("welcome")

            // The state says 1…5 are there; by the time the messages are read, 1…3 are gone.
            store.armPrune(3)
            await reader.send(#"{"type":"join","room":"den","since":1}"#)
            let joined = try await reader.expect("joined")
            #expect(joined["recovered"] as? Bool == false, "\(joined)")
            #expect(joined["reason"] as? String == "history_pruned")
            let seqs = (joined["messages"] as? [[String: Any]])?.compactMap { ($0["seq"] as? NSNumber)?.intValue }
            #expect(seqs == [4, 5], "the recent messages, said to be not a recovery")
        }
    }
}
