import Foundation
import NIOCore
import Synchronization

/// The store of `--database-url memory:`: messages, accounts and rooms in process memory,
/// bounded per conversation.
///
/// Like the SQLite and PostgreSQL stores it is a `MessageStore`, an `AccountStore`
/// (`InMemoryMessageStore+Accounts`, kept in `accounts`) and a `RoomStore`
/// (`InMemoryMessageStore+Rooms`, rules in `InMemoryRooms`), so a node on `memory:` enforces
/// rooms, roles and bans exactly as a durable one does. It keeps the newest `retainPerConversation` messages of each conversation and the newest
/// `retainClientIDsPerUser` client ids of each user; older ones are pruned, and a resume that
/// needs a pruned message is answered `recovered: false`. Every process start is a new epoch.
public final class InMemoryMessageStore: MessageStore {
    private struct Log {
        let epoch: String
        /// Set by the first append; lets `unreadDirectConversations` find a user's DMs.
        var conversation: Conversation?
        var messages = CircularBuffer<StoredMessage>()
        /// Each message's search position (`SearchCursor`), in step with `messages`.
        var positions = CircularBuffer<Int64>()
        var lastSeq: Int64 = 0
        var readPositions: [String: Int64] = [:]

        var firstAvailableSeq: Int64 { messages.first?.seq ?? lastSeq + 1 }

        mutating func append(
            from draft: MessageDraft, key: String, id: String, position: Int64, retain: Int
        ) -> StoredMessage {
            conversation = draft.conversation
            lastSeq += 1
            let message = StoredMessage(
                id: id, conversationKey: key, seq: lastSeq, from: draft.from, text: draft.text,
                timestamp: draft.timestamp, clientID: draft.clientID, event: draft.event
            )
            messages.append(message)
            positions.append(position)
            if messages.count > retain {
                messages.removeFirst()
                positions.removeFirst()
            }
            return message
        }
    }

    private struct ClientIDs {
        var order = CircularBuffer<String>()
        var messages: [String: (conversation: String, message: StoredMessage)] = [:]

        mutating func remember(_ clientID: String, conversation: String, message: StoredMessage, retain: Int) {
            order.append(clientID)
            messages[clientID] = (conversation, message)
            if order.count > retain, let evicted = order.popFirst() { messages[evicted] = nil }
        }
    }

    private struct State {
        var logs: [String: Log] = [:]
        var clientIDs: [String: ClientIDs] = [:]
        /// The search position the next message gets: grows with every append, over all
        /// conversations, so newest first is highest first.
        var nextPosition: Int64 = 1
    }

    private let state = Mutex(State())
    /// The rooms; locked before `accounts` when both are needed, never the other way round.
    let rooms: Mutex<InMemoryRooms>
    /// The accounts the room rules read (registered? admin?), and what `AccountStore` serves.
    public let accounts: InMemoryAccountStore
    /// How many messages each conversation keeps.
    public let retainPerConversation: Int
    /// How many client ids each user's idempotence window keeps.
    public let retainClientIDsPerUser: Int

    /// - Parameters:
    ///   - retainPerConversation: messages kept per conversation (also the moderation log
    ///     entries kept per room).
    ///   - retainClientIDsPerUser: client ids kept per user for idempotence.
    ///   - accounts: the accounts the rooms belong with.
    public init(
        retainPerConversation: Int = 10_000, retainClientIDsPerUser: Int = 1_024,
        accounts: InMemoryAccountStore = InMemoryAccountStore()
    ) {
        self.retainPerConversation = retainPerConversation
        self.retainClientIDsPerUser = retainClientIDsPerUser
        self.accounts = accounts
        self.rooms = Mutex(InMemoryRooms(retainLogPerRoom: retainPerConversation))
    }

    /// The peers of `user`'s direct conversations that hold a message, by name.
    func peersWithMessages(of user: String) -> [String] {
        state.withLock { state in
            state.logs.values.compactMap { log -> String? in
                guard log.lastSeq > 0, case .direct? = log.conversation else { return nil }
                return log.conversation?.peer(of: user)
            }
            .sorted()
        }
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
            // Mutated in place: copying a log (10,000 messages) or an id window per append made
            // every append O(history).
            if state.logs[key] == nil { state.logs[key] = Log(epoch: Self.newEpoch()) }
            let position = state.nextPosition
            state.nextPosition += 1
            let message = state.logs[key]!.append(
                from: draft, key: key, id: UUID().uuidString.lowercased(), position: position,
                retain: retainPerConversation)
            state.clientIDs[draft.from, default: ClientIDs()].remember(
                draft.clientID, conversation: key, message: message, retain: retainClientIDsPerUser)
            return AppendResult(message: message, duplicate: false)
        }
    }

    /// The stored messages with a search position below `before` that `matches` accepts, with
    /// their conversation and position, in no particular order: what `search` filters and sorts.
    func searchCandidates(
        before: Int64, matching matches: (Conversation, StoredMessage) -> Bool
    ) -> [(conversation: Conversation, message: StoredMessage, position: Int64)] {
        state.withLock { state in
            var found: [(conversation: Conversation, message: StoredMessage, position: Int64)] = []
            for log in state.logs.values {
                guard let conversation = log.conversation else { continue }
                for (message, position) in zip(log.messages, log.positions)
                where position < before && matches(conversation, message) {
                    found.append((conversation, message, position))
                }
            }
            return found
        }
    }

    public func state(of conversation: Conversation) async throws -> ConversationState {
        state.withLock { state in
            let key = conversation.key
            if state.logs[key] == nil { state.logs[key] = Log(epoch: Self.newEpoch()) }
            let log = state.logs[key]!
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
            if state.logs[key] == nil { state.logs[key] = Log(epoch: Self.newEpoch()) }
            let position = max(state.logs[key]!.readPositions[user] ?? 0, seq)
            state.logs[key]!.readPositions[user] = position
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
