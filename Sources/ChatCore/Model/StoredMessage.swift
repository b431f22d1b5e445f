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

    public init(
        id: String, conversationKey: String, seq: Int64, from: String, text: String, timestamp: Int64,
        clientID: String, event: RoomEvent? = nil
    ) {
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
