import Foundation
import NIOCore
import Synchronization

/// A `MessageStore` in process memory, bounded per conversation.
///
/// It keeps the newest `retainPerConversation` messages of each conversation and the newest
/// `retainClientIDsPerUser` client ids of each user; older ones are pruned, and a resume that
/// needs a pruned message is answered `recovered: false`. Every process start is a new epoch.
public final class InMemoryMessageStore: MessageStore {
    private struct Log {
        let epoch: String
        /// Set by the first append; lets `unreadDirectConversations` find a user's DMs.
        var conversation: Conversation?
        var messages = CircularBuffer<StoredMessage>()
        var lastSeq: Int64 = 0
        var readPositions: [String: Int64] = [:]

        var firstAvailableSeq: Int64 { messages.first?.seq ?? lastSeq + 1 }
    }

    private struct ClientIDs {
        var order = CircularBuffer<String>()
        var messages: [String: (conversation: String, message: StoredMessage)] = [:]
    }

    private struct State {
        var logs: [String: Log] = [:]
        var clientIDs: [String: ClientIDs] = [:]
    }

    private let state = Mutex(State())
    /// How many messages each conversation keeps.
    public let retainPerConversation: Int
    /// How many client ids each user's idempotence window keeps.
    public let retainClientIDsPerUser: Int

    public init(retainPerConversation: Int = 10_000, retainClientIDsPerUser: Int = 1_024) {
        self.retainPerConversation = retainPerConversation
        self.retainClientIDsPerUser = retainClientIDsPerUser
    }

    private static func newEpoch() -> String {
        String(UInt64.random(in: 1...UInt64.max), radix: 36)
    }

    public func append(_ draft: MessageDraft) async throws -> AppendResult {
        let key = draft.conversation.key
        return try state.withLock { state in
            if let previous = state.clientIDs[draft.from]?.messages[draft.clientID] {
                guard previous.conversation == key, previous.message.text == draft.text else {
                    throw StoreError(.clientIDConflict, "cid \(draft.clientID) was used for another message")
                }
                return AppendResult(message: previous.message, duplicate: true)
            }
            var log = state.logs[key] ?? Log(epoch: Self.newEpoch())
            log.conversation = draft.conversation
            log.lastSeq += 1
            let message = StoredMessage(
                id: UUID().uuidString.lowercased(), conversationKey: key, seq: log.lastSeq, from: draft.from,
                text: draft.text, timestamp: draft.timestamp, clientID: draft.clientID
            )
            log.messages.append(message)
            if log.messages.count > retainPerConversation { log.messages.removeFirst() }
            state.logs[key] = log

            var ids = state.clientIDs[draft.from] ?? ClientIDs()
            ids.order.append(draft.clientID)
            ids.messages[draft.clientID] = (key, message)
            if ids.order.count > retainClientIDsPerUser, let evicted = ids.order.popFirst() {
                ids.messages[evicted] = nil
            }
            state.clientIDs[draft.from] = ids
            return AppendResult(message: message, duplicate: false)
        }
    }

    public func state(of conversation: Conversation) async throws -> ConversationState {
        state.withLock { state in
            let key = conversation.key
            let log = state.logs[key] ?? Log(epoch: Self.newEpoch())
            state.logs[key] = log
            return ConversationState(epoch: log.epoch, lastSeq: log.lastSeq, firstAvailableSeq: log.firstAvailableSeq)
        }
    }

    public func messages(in conversation: Conversation, after seq: Int64, limit: Int) async throws -> [StoredMessage] {
        state.withLock { state in
            guard let log = state.logs[conversation.key], limit > 0 else { return [] }
            // Seqs are contiguous in the buffer, so the start index is arithmetic.
            let first = log.firstAvailableSeq
            let startSeq = max(seq + 1, first)
            guard startSeq <= log.lastSeq else { return [] }
            let start = Int(startSeq - first)
            let end = min(log.messages.count, start + limit)
            return (start..<end).map { log.messages[log.messages.index(log.messages.startIndex, offsetBy: $0)] }
        }
    }

    public func messages(in conversation: Conversation, before seq: Int64?, limit: Int) async throws -> [StoredMessage] {
        state.withLock { state in
            guard let log = state.logs[conversation.key], limit > 0 else { return [] }
            let first = log.firstAvailableSeq
            let upper = min(seq.map { $0 - 1 } ?? log.lastSeq, log.lastSeq)  // inclusive
            guard upper >= first else { return [] }
            let lowerSeq = max(first, upper - Int64(limit) + 1)
            return stride(from: upper, through: lowerSeq, by: -1).map {
                log.messages[log.messages.index(log.messages.startIndex, offsetBy: Int($0 - first))]
            }
        }
    }

    public func markRead(user: String, in conversation: Conversation, upTo seq: Int64) async throws -> Int64 {
        state.withLock { state in
            let key = conversation.key
            var log = state.logs[key] ?? Log(epoch: Self.newEpoch())
            let position = max(log.readPositions[user] ?? 0, seq)
            log.readPositions[user] = position
            state.logs[key] = log
            return position
        }
    }

    public func readPosition(of user: String, in conversation: Conversation) async throws -> Int64 {
        state.withLock { $0.logs[conversation.key]?.readPositions[user] ?? 0 }
    }

    public func unreadDirectConversations(of user: String) async throws -> [UnreadConversation] {
        state.withLock { state in
            state.logs.values.compactMap { log -> UnreadConversation? in
                guard case .direct? = log.conversation, let peer = log.conversation?.peer(of: user) else { return nil }
                let read = log.readPositions[user] ?? 0
                let count = log.messages.reduce(into: Int64(0)) { count, message in
                    if message.seq > read, message.from != user { count += 1 }
                }
                guard count > 0 else { return nil }
                return UnreadConversation(peer: peer, count: count, lastSeq: log.lastSeq, readSeq: read)
            }
            .sorted { $0.peer < $1.peer }
        }
    }
}
