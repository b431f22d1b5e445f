package import ChatCore

/// What `rabbitchat export` reads and `rabbitchat import` writes, beyond `MessageStore`: a
/// conversation's identity (epoch, last seq, pruned-through mark) and its messages with every
/// column, so an imported conversation is the one exported (same seqs and epoch: clients that
/// knew it resume on the new store as on the old).
package protocol ConversationArchive: Sendable {
    /// The conversation's stored identity, or nil when the store has no such conversation.
    func archivedConversation(_ conversation: Conversation) async throws -> ArchivedConversation?

    /// The direct conversations `user` is a party of, by key.
    func directConversations(of user: String) async throws -> [Conversation]

    /// Up to `limit` room messages `user` sent, after (`afterKey`, `afterSeq`) in (conversation
    /// key, seq) order: the room part of a user's export.
    func roomMessages(
        sentBy user: String, afterKey: String, afterSeq: Int64, limit: Int
    ) async throws -> [StoredMessage]

    /// Creates the conversation with the archive's epoch, last seq and pruned-through mark.
    ///
    /// - Throws: `ArchiveError` when the store already holds a conversation of that key with
    ///   messages (an import never merges two histories: their seqs would collide).
    func restoreConversation(_ archived: ArchivedConversation) async throws

    /// Stores `messages` (of conversations restored before) exactly as given, every column, in
    /// one transaction.
    func restoreMessages(_ messages: [StoredMessage]) async throws
}

/// A conversation's identity as exported.
package struct ArchivedConversation: Codable, Sendable, Equatable {
    /// `room` or `dm`.
    package var kind: String
    /// The room's name, for a room.
    package var room: String?
    /// The two parties, sorted, for a direct conversation.
    package var users: [String]?
    package var epoch: String
    package var lastSeq: Int64
    /// Every seq up to this one was pruned before the export.
    package var prunedThrough: Int64

    package init(conversation: Conversation, epoch: String, lastSeq: Int64, prunedThrough: Int64) {
        switch conversation {
        case .room(let name):
            kind = "room"
            room = name
        case .direct(let a, let b):
            kind = "dm"
            users = [a, b]
        }
        self.epoch = epoch
        self.lastSeq = lastSeq
        self.prunedThrough = prunedThrough
    }

    /// The conversation this describes; nil for a kind this version does not know.
    package var conversation: Conversation? {
        switch kind {
        case "room": room.map(Conversation.room)
        case "dm": users.flatMap { $0.count == 2 ? Conversation.direct(between: $0[0], and: $0[1]) : nil }
        default: nil
        }
    }
}

/// An import or export that cannot go on, with what the operator needs to know.
package struct ArchiveError: Error, CustomStringConvertible, Sendable {
    package var description: String
    package init(_ description: String) { self.description = description }
}

/// A store `rabbitchat export` and `import` work on: history, rooms, retention and the archive
/// reads and writes (SQLite and PostgreSQL).
package typealias ArchivableStore = MessageStore & RoomStore & MessageRetention & ConversationArchive
