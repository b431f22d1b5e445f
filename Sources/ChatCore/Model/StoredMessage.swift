/// A chat message as the store keeps it, after it was assigned its `seq`.
public struct StoredMessage: Sendable, Equatable, Codable {
    /// Globally unique message id.
    public var id: String
    /// The conversation the message belongs to.
    public var conversationKey: String
    /// Position in the conversation: 1, 2, 3, … without gaps.
    public var seq: Int64
    /// The sender, set by the server (never by the client).
    public var from: String
    /// The message text, exactly as sent.
    public var text: String
    /// Milliseconds since 1970-01-01 UTC when the server stored the message.
    public var timestamp: Int64
    /// The sender's client id for this message, which makes `send` idempotent.
    public var clientID: String
    /// For a room's settings and moderation changes: what changed (`text` says it in words);
    /// nil for a chat message.
    public var event: RoomEvent?
    /// For an entry that changes an earlier message: the change (the entry has no text).
    public var update: MessageUpdate?
    /// For a reply: the message it answers.
    public var replyTo: MessageQuote?
    /// When the text was last edited (ms since 1970); nil if never.
    public var editedAt: Int64?
    /// Who deleted the message (its text is then empty: a tombstone keeps the seq).
    public var deletedBy: String?
    /// Who reacted with which emoji.
    public var reactions = MessageReactions()
    /// The users the text mentions (`@name`), as the server resolved them.
    public var mentions: [String] = []
    /// The files the message carries (`MessageAttachment`), in the order the sender gave.
    public var attachments: [MessageAttachment] = []

    public init(
        id: String, conversationKey: String, seq: Int64, from: String, text: String, timestamp: Int64,
        clientID: String, event: RoomEvent? = nil, update: MessageUpdate? = nil, replyTo: MessageQuote? = nil,
        editedAt: Int64? = nil, deletedBy: String? = nil, reactions: MessageReactions = MessageReactions(),
        mentions: [String] = [], attachments: [MessageAttachment] = []
    ) {
        self.mentions = mentions
        self.attachments = attachments
        self.update = update
        self.replyTo = replyTo
        self.editedAt = editedAt
        self.deletedBy = deletedBy
        self.reactions = reactions
        self.id = id
        self.conversationKey = conversationKey
        self.seq = seq
        self.from = from
        self.text = text
        self.timestamp = timestamp
        self.clientID = clientID
        self.event = event
    }
}
