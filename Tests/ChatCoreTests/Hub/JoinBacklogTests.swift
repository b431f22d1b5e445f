import Foundation
import Logging
import NIOCore
import Synchronization
import Testing

@testable import ChatCore

/// The store behind the hub, with the reads of room state held at a gate: a slow database, so
/// that a burst of joins piles up behind one read.
final class GatedStore: MessageStore {
    let base = InMemoryMessageStore()
    private let gate = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>], stateReads: Int)>((false, [], 0))

    var stateReads: Int { gate.withLock { $0.stateReads } }

    func open() {
        let waiters = gate.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func state(of conversation: Conversation) async throws -> ConversationState {
        await withCheckedContinuation { continuation in
            let pass = gate.withLock { state in
                state.stateReads += 1
                if !state.open { state.waiters.append(continuation) }
                return state.open
            }
            if pass { continuation.resume() }
        }
        return try await base.state(of: conversation)
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
    func readPositions(in conversation: Conversation, limit: Int) async throws -> [String: Int64] {
        try await base.readPositions(in: conversation, limit: limit)
    }
    func readPosition(of user: String, in conversation: Conversation) async throws -> Int64 {
        try await base.readPosition(of: user, in: conversation)
    }
    func unreadDirectConversations(of user: String) async throws -> [UnreadConversation] {
        try await base.unreadDirectConversations(of: user)
    }
}

@Suite("Join backlog reads", .timeLimit(.minutes(1)))
struct JoinBacklogTests {
    @Test(
        "fifty joins of one room while the store is slow cost two reads, and every joiner gets the message sent before")
    func burstOfJoinsSharesARead() async throws {
        let store = GatedStore()
        _ = try await store.base.append(
            MessageDraft(
                conversation: .room("lobby"), from: "earlier", text: "before the burst", clientID: "c0", timestamp: 1))
        let exchange = InProcessExchange()
        let hub = Hub(
            configuration: .init(nodeID: "n"), store: store, broker: exchange.makeBroker(),
            logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await hub.run() }
            var sessions: [(id: SessionID, outbox: SessionOutbox)] = []
            for index in 0..<50 {
                let session = await hub.connect()
                await hub.receive(Array(#"{"type":"hello","nick":"joiner\#(index)"}"#.utf8), from: session.0)
                sessions.append(session)
            }
            for session in sessions {
                group.addTask { await hub.receive(Array(#"{"type":"join","room":"lobby"}"#.utf8), from: session.id) }
            }
            // Every join is waiting: one on the read at the gate, 49 for the next read.
            // (The read runs in a task of its own: it may reach the gate just after the 50th
            // join queued.)
            while await hub.joinsWaitingForBacklog < 50 || store.stateReads < 1 {
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(store.stateReads == 1)
            store.open()
            for session in sessions {
                let joined = try await Self.firstFrame(ofType: "joined", from: session.outbox)
                let messages = try #require(joined["messages"] as? [[String: Any]])
                #expect(messages.map { $0["text"] as? String } == ["before the burst"])
            }
            #expect(store.stateReads == 2)
            group.cancelAll()
        }
    }

    /// Reads `outbox` until a frame of `type` (welcome and presence frames come first).
    static func firstFrame(ofType type: String, from outbox: SessionOutbox) async throws -> [String: Any] {
        while let item = await outbox.next() {
            guard case .frames(let frames) = item else { break }
            for frame in frames {
                let object = try #require(
                    try JSONSerialization.jsonObject(with: Data(String(buffer: frame).utf8)) as? [String: Any])
                if object["type"] as? String == type { return object }
            }
        }
        Issue.record("the session ended before a `\(type)` frame")
        return [:]
    }
}
