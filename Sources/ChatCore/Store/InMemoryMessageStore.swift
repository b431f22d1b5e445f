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
public final class InMemoryMessageStore: MessageStore, AnswersInProcess {
    struct Log {
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
            from draft: MessageDraft, key: String, id: String, quote: MessageQuote?, position: Int64, retain: Int
        ) -> StoredMessage {
            conversation = draft.conversation
            lastSeq += 1
            var message = StoredMessage(
                id: id, conversationKey: key, seq: lastSeq, from: draft.from, text: draft.text,
                timestamp: draft.timestamp, clientID: draft.clientID, event: draft.event, update: draft.update,
                replyTo: quote
            )
            message.mentions = draft.mentions
            message.attachments = draft.attachments
            messages.append(message)
            positions.append(position)
            if messages.count > retain {
                messages.removeFirst()
                positions.removeFirst()
            }
            return message
        }

        /// The stored message with `seq`, if it is still kept.
        func message(_ seq: Int64) -> StoredMessage? {
            guard let first = messages.first?.seq, seq >= first, seq <= lastSeq else { return nil }
            return messages[offset: Int(seq - first)]
        }

        /// Replaces a kept message by its changed state; after a delete, its quotes are emptied.
        mutating func replace(_ changed: StoredMessage) {
            guard let first = messages.first?.seq, changed.seq >= first else { return }
            messages[offset: Int(changed.seq - first)] = changed
            guard changed.deletedBy != nil else { return }
            // Deleted text leaves the store: quotes of it, and the texts its edits carried.
            for index in messages.indices {
                if messages[index].replyTo?.seq == changed.seq { messages[index].replyTo?.text = "" }
                if let update = messages[index].update, update.action == .edit, update.seq == changed.seq {
                    messages[index].update?.text = nil
                }
            }
        }

        /// Removes the oldest messages stored before `cutoff`, at most `limit` (a prefix: it
        /// stops at the first newer one), and what the rest still carry of them (quotes, edit
        /// texts); returns how many went.
        mutating func pruneOldest(before cutoff: Int64, limit: Int) -> Int {
            var pruned = 0
            var through: Int64 = 0
            while pruned < limit, let first = messages.first, first.timestamp < cutoff {
                through = first.seq
                messages.removeFirst()
                positions.removeFirst()
                pruned += 1
            }
            guard pruned > 0 else { return 0 }
            for index in messages.indices {
                if let quoted = messages[index].replyTo?.seq, quoted <= through { messages[index].replyTo?.text = "" }
                if let update = messages[index].update, update.action == .edit, update.seq <= through {
                    messages[index].update?.text = nil
                }
            }
            return pruned
        }

        /// Applies `draft`'s update to its target and finds its quote, before it is appended.
        func prepare(_ draft: MessageDraft) throws(StoreError) -> (changed: StoredMessage?, quote: MessageQuote?) {
            var quote: MessageQuote?
            if let replyTo = draft.replyTo {
                guard let original = message(replyTo) else {
                    throw StoreError(.noSuchMessage, "seq \(replyTo) is no message of this conversation")
                }
                quote = try MessageLifecycle.quote(of: original)
            }
            var changed: StoredMessage?
            if let update = draft.update {
                guard let target = message(update.seq) else {
                    throw StoreError(.noSuchMessage, "seq \(update.seq) is no message of this conversation")
                }
                changed = try MessageLifecycle.apply(draft, to: target)
            }
            return (changed, quote)
        }
    }

    struct ClientIDs {
        var order = CircularBuffer<String>()
        var messages: [String: (conversation: String, message: StoredMessage)] = [:]

        mutating func remember(_ clientID: String, conversation: String, message: StoredMessage, retain: Int) {
            order.append(clientID)
            messages[clientID] = (conversation, message)
            if order.count > retain, let evicted = order.popFirst() { messages[evicted] = nil }
        }
    }

    struct State {
        var logs: [String: Log] = [:]
        var clientIDs: [String: ClientIDs] = [:]
        /// The search position the next message gets: grows with every append, over all
        /// conversations, so newest first is highest first.
        var nextPosition: Int64 = 1
    }

    /// Every conversation's log; `InMemoryMessageStore+Retention` prunes it.
    let state = Mutex(State())
    /// The upload tables (`InMemoryMessageStore+Uploads`); locked after `state` when both are.
    let uploadTables = Mutex(InMemoryUploads())
    /// The rooms; locked before `accounts` when both are needed, never the other way round.
    let rooms: Mutex<InMemoryRooms>
    /// The accounts the room rules read (registered? admin?), and what `AccountStore` serves.
    public let accounts: InMemoryAccountStore
    /// The bots and their hooks (`InMemoryMessageStore+Bots`); never locked together with another lock.
    let bots = Mutex(InMemoryBots())
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
        let (result, replaced) = try state.withLock { state -> (AppendResult, StoredMessage?) in
            if let previous = state.clientIDs[draft.from]?.messages[draft.clientID] {
                guard previous.conversation == key, MessageLifecycle.isSameRequest(draft, as: previous.message) else {
                    throw StoreError(.clientIDConflict, "cid \(draft.clientID) was used for another message")
                }
                return (AppendResult(message: previous.message, duplicate: true), nil)
            }
            // Mutated in place: copying a log (10,000 messages) or an id window per append made
            // every append O(history).
            if state.logs[key] == nil { state.logs[key] = Log(epoch: Self.newEpoch()) }
            let (changed, quote) = try state.logs[key]!.prepare(draft)
            // Checked under the state lock, so a collection cannot take an upload between this
            // check and the message that carries it.
            try uploadTables.withLock { uploads throws(StoreError) in
                try uploads.checkStored(draft.attachments.map(\.id))
            }
            var replaced: StoredMessage?
            if let changed {
                replaced = state.logs[key]!.message(changed.seq)
                state.logs[key]!.replace(changed)
                if changed.deletedBy != nil {
                    uploadTables.withLock {
                        $0.dropReferences(from: MessageReference(conversation: draft.conversation, seq: changed.seq))
                    }
                }
            }
            let position = state.nextPosition
            state.nextPosition += 1
            let message = state.logs[key]!.append(
                from: draft, key: key, id: UUID().uuidString.lowercased(), quote: quote, position: position,
                retain: retainPerConversation)
            if !draft.attachments.isEmpty {
                let reference = MessageReference(conversation: draft.conversation, seq: message.seq)
                uploadTables.withLock { $0.reference(draft.attachments.map(\.id), from: reference) }
            }
            state.clientIDs[draft.from, default: ClientIDs()].remember(
                draft.clientID, conversation: key, message: message, retain: retainClientIDsPerUser)
            return (AppendResult(message: message, duplicate: false), replaced)
        }
        // The moderation log lives with the rooms, under their lock (never held with `state`'s).
        if let replaced, let update = draft.update, case .room(let room) = draft.conversation {
            switch update.action {
            case .edit:
                rooms.withLock {
                    $0.logEdit(
                        in: room, of: replaced.seq, by: draft.from, author: replaced.from, before: replaced.text,
                        now: draft.timestamp)
                }
            case .delete:
                rooms.withLock { $0.forgetEditedTexts(in: room, of: replaced.seq) }
            case .react:
                break
            }
        }
        return result
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

    public func messages(in conversation: Conversation, before seq: Int64?, limit: Int) async throws -> [StoredMessage]
    {
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

    public func readPositions(in conversation: Conversation, limit: Int) async throws -> [String: Int64] {
        state.withLock { state in
            let positions = state.logs[conversation.key]?.readPositions ?? [:]
            guard positions.count > limit else { return positions }
            return Dictionary(
                uniqueKeysWithValues: positions.sorted { $0.value > $1.value }.prefix(limit).map { ($0.key, $0.value) })
        }
    }

    /// `UnreadRoom` of one room, from the kept messages.
    func unreadRoom(_ room: String, of user: String) -> UnreadRoom {
        state.withLock { state in
            guard let log = state.logs[Conversation.room(room).key] else {
                return UnreadRoom(room: room, count: 0, mentions: 0, lastSeq: 0, readSeq: 0)
            }
            let read = log.readPositions[user] ?? 0
            var count: Int64 = 0
            var mentions: Int64 = 0
            for message in log.messages where message.seq > read {
                let counted = UnreadRoom.counts(message, for: user)
                if counted.unread { count += 1 }
                if counted.mention { mentions += 1 }
            }
            return UnreadRoom(
                room: room, count: min(count, UnreadRoom.countLimit), mentions: min(mentions, UnreadRoom.countLimit),
                lastSeq: log.lastSeq, readSeq: read)
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
