/// Durable (or, in tests and the embedded default until durable stores land, in-memory) history.
///
/// The store is the authority on ordering: it assigns each message its gap-free `seq` within the
/// conversation, atomically, and makes `send` idempotent per (sender, client id). Every message
/// is appended here before it is published to the broker, so nothing acknowledged can be lost
/// by the broker alone.
public protocol MessageStore: Sendable {
    /// Stores a message, or returns the one already stored for the same (sender, client id).
    func append(_ draft: MessageDraft) async throws -> AppendResult

    /// The conversation's epoch and sequence bounds; creates the conversation if new.
    func state(of conversation: Conversation) async throws -> ConversationState

    /// Up to `limit` messages with `seq > after`, oldest first.
    func messages(in conversation: Conversation, after seq: Int64, limit: Int) async throws -> [StoredMessage]

    /// Up to `limit` messages with `seq < before` (all when nil), newest first.
    func messages(in conversation: Conversation, before seq: Int64?, limit: Int) async throws -> [StoredMessage]

    /// Records that `user` has read `conversation` up to `seq`; positions never move backwards.
    ///
    /// - Returns: the user's read position after the update.
    func markRead(user: String, in conversation: Conversation, upTo seq: Int64) async throws -> Int64

    /// The `seq` up to which `user` has read `conversation`; 0 when never.
    func readPosition(of user: String, in conversation: Conversation) async throws -> Int64

    /// The read positions of `conversation`, by user, at most `limit` of them (the newest
    /// first): after a reload a message still shows who has read it.
    func readPositions(in conversation: Conversation, limit: Int) async throws -> [String: Int64]

    /// The direct conversations of `user` that hold messages from the peer after the user's read
    /// position, oldest peer name first.
    ///
    /// A user who signs in learns from this, in `welcome`, what was sent while they were away.
    func unreadDirectConversations(of user: String) async throws -> [UnreadConversation]
}

/// A message as the `Hub` hands it to the store, before it has a `seq`.
public struct MessageDraft: Sendable, Equatable {
    public var conversation: Conversation
    public var from: String
    public var text: String
    public var clientID: String
    public var timestamp: Int64
    /// A room's settings or moderation change this message records (`StoredMessage.event`).
    public var event: RoomEvent?
    /// An edit, delete or reaction this entry records and the store applies to its target.
    public var update: MessageUpdate?
    /// The `seq` of the message this one answers (same conversation).
    public var replyTo: Int64?
    /// Whether `from` may delete others' messages here (a room's moderator, owner or an admin:
    /// the hub asks the room store before it appends).
    public var mayDeleteOthers: Bool
    /// The names `text` mentions that belong to someone (`Hub.resolveMentions`).
    public var mentions: [String] = []
    /// The uploads the message carries (checked by the hub: the sender's own, at most
    /// `MessageDraft.maxAttachments`); the store records the references with the message.
    public var attachments: [MessageAttachment] = []

    /// The most attachments one message may carry.
    public static let maxAttachments = 10

    public init(
        conversation: Conversation, from: String, text: String, clientID: String, timestamp: Int64,
        event: RoomEvent? = nil, update: MessageUpdate? = nil, replyTo: Int64? = nil, mayDeleteOthers: Bool = false
    ) {
        self.update = update
        self.replyTo = replyTo
        self.mayDeleteOthers = mayDeleteOthers
        self.conversation = conversation
        self.from = from
        self.text = text
        self.clientID = clientID
        self.timestamp = timestamp
        self.event = event
    }
}

/// The outcome of `MessageStore.append`.
public struct AppendResult: Sendable, Equatable {
    /// The stored message, with its `id` and `seq`.
    public var message: StoredMessage
    /// True when the (sender, client id) was already stored: this is a retry, not a new message.
    public var duplicate: Bool

    public init(message: StoredMessage, duplicate: Bool) {
        self.message = message
        self.duplicate = duplicate
    }
}

/// What a client needs to know to resume a conversation.
public struct ConversationState: Sendable, Equatable {
    /// Changes only when the conversation's history is reset; old `seq`s then no longer apply.
    public var epoch: String
    /// The newest `seq`, 0 when empty.
    public var lastSeq: Int64
    /// The oldest `seq` still stored (1 when nothing was ever pruned).
    public var firstAvailableSeq: Int64

    public init(epoch: String, lastSeq: Int64, firstAvailableSeq: Int64) {
        self.epoch = epoch
        self.lastSeq = lastSeq
        self.firstAvailableSeq = firstAvailableSeq
    }
}

/// A store failure the `Hub` reports to the client.
public struct StoreError: Error, Sendable, Equatable {
    /// What went wrong, stable for programs.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The (sender, client id) is already used by a different message.
        public static let clientIDConflict = Code(rawValue: "client_id_conflict")
        /// The store cannot be reached or refused the write.
        public static let unavailable = Code(rawValue: "unavailable")
        /// An edit, delete, reaction or reply names a `seq` that is no message of the
        /// conversation (or is itself an update or a room event).
        public static let noSuchMessage = Code(rawValue: "no_such_message")
        /// An edit of someone else's message, or a delete of it without the room's moderation right.
        public static let notAuthor = Code(rawValue: "not_author")
        /// An edit of, reaction to or reply to a deleted message.
        public static let messageDeleted = Code(rawValue: "message_deleted")
        /// A reaction that would give the message more than `MessageReactions.maxDistinctEmoji` emoji.
        public static let tooManyReactions = Code(rawValue: "too_many_reactions")
        /// An attachment names an upload that is not stored (never was, or was collected).
        public static let noSuchUpload = Code(rawValue: "no_such_upload")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
