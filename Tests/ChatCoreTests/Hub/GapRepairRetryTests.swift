import Foundation
import Logging
import Synchronization
import Testing

@testable import ChatCore

/// A store whose reads of messages after a `seq` fail a given number of times: a database
/// restarting while a node repairs a gap.
final class FlakyReadsStore: MessageStore {
    let base = InMemoryMessageStore()
    private let failuresLeft: Mutex<Int>
    private let reads = Mutex(0)

    init(failing count: Int) { failuresLeft = Mutex(count) }

    var readsAfter: Int { reads.withLock { $0 } }

    /// Makes the next `count` reads fail.
    func armFailures(_ count: Int) { failuresLeft.withLock { $0 = count } }

    func messages(in conversation: Conversation, after seq: Int64, limit: Int) async throws -> [StoredMessage] {
        reads.withLock { $0 += 1 }
        let fail = failuresLeft.withLock { left in
            defer { left = max(left - 1, 0) }
            return left > 0
        }
        if fail { throw StoreError(.unavailable, "the database is restarting") }
        return try await base.messages(in: conversation, after: seq, limit: limit)
    }

    func append(_ draft: MessageDraft) async throws -> AppendResult { try await base.append(draft) }
    func state(of conversation: Conversation) async throws -> ConversationState {
        try await base.state(of: conversation)
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

@Suite("Gap repair retries and never skips", .timeLimit(.minutes(1)))
struct GapRepairRetryTests {
    @Test("a gap whose store reads fail twice is filled on the third try: the reader gets every seq once, in order")
    func retriedRepair() async throws {
        let store = FlakyReadsStore(failing: 0)
        let exchange = InProcessExchange()
        let hub = Hub(
            configuration: .init(nodeID: "n"), store: store, broker: exchange.makeBroker(),
            logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await hub.run() }
            defer { group.cancelAll() }
            let (id, outbox) = await hub.connect()
            let reader = HubTests.Client(hub: hub, id: id, outbox: outbox)
            await reader.send(#"{"type":"hello","nick":"reader"}"#)
            _ = try await reader.expect("welcome")
            await reader.send(#"{"type":"join","room":"den"}"#)
            _ = try await reader.expect("joined")

            // Two messages stored, but only the second reaches the broker (the first's publish was
            // lost): the reader's stream has a gap at 1, and the store fails its next two reads.
            let first = try await store.base.append(
                MessageDraft(conversation: .room("den"), from: "w", text: "one", clientID: "c1", timestamp: 1))
            let second = try await store.base.append(
                MessageDraft(conversation: .room("den"), from: "w", text: "two", clientID: "c2", timestamp: 2))
            #expect(first.message.seq == 1 && second.message.seq == 2)
            store.armFailures(2)
            var event = BrokerEvent(kind: .message, node: "elsewhere")
            event.room = "den"
            event.seq = 2
            event.frame = ServerFrameEncoder.encode(MessageFrame(second.message, in: .room("den")))
            try await exchange.makeBroker().publish(
                BrokerMessage(topic: BrokerTopic.room("den", .message), payload: event.encoded()), confirm: false)

            let one = try await reader.expect("message", skipping: ["presence"])
            let two = try await reader.expect("message", skipping: ["presence"])
            #expect([one["seq"] as? Int, two["seq"] as? Int] == [1, 2])
            #expect([one["text"] as? String, two["text"] as? String] == ["one", "two"])
            #expect(store.readsAfter >= 3, "two failed reads, then the one that filled the gap")
        }
    }
}
