/// `message`: one chat message, live or inside a backlog or history page.
///
/// Room messages carry `room`; direct messages carry `to` (the recipient), so the client's
/// conversation is the one with whichever of `from`/`to` is not itself.
public struct MessageFrame: Encodable, Sendable, Equatable {
    /// `message`, or `update` for an entry that changes an earlier message (`update` set).
    public var type: String { update == nil ? "message" : "update" }
    public var room: String?
    public var to: String?
    public var id: String
    public var seq: Int64
    public var from: String
    public var text: String
    /// Server time the message was stored, in milliseconds since 1970 (UTC).
    public var ts: Int64
    /// A room's settings or moderation change (PROTOCOL.md, "Rooms and moderation").
    public var event: RoomEvent?
    /// For an `update` entry: the change (edit, delete, react) and the `seq` it changes.
    public var update: MessageUpdate?
    /// For a reply: the message it answers.
    public var replyTo: MessageQuote?
    /// When the text was last edited.
    public var editedAt: Int64?
    /// Who deleted the message (its text is then empty).
    public var deletedBy: String?
    /// Who reacted with which emoji; nil when nobody did.
    public var reactions: [MessageReactions.Entry]?
    /// The users the text mentions; nil when none.
    public var mentions: [String]?
    /// The files the message carries; nil when none.
    public var attachments: [MessageAttachment]?

    public init(
        room: String?, to: String?, id: String, seq: Int64, from: String, text: String, ts: Int64,
        event: RoomEvent? = nil
    ) {
        self.room = room
        self.to = to
        self.id = id
        self.seq = seq
        self.from = from
        self.text = text
        self.ts = ts
        self.event = event
    }

    /// The frame of a stored message of `conversation`, in its current state.
    public init(_ message: StoredMessage, in conversation: Conversation) {
        switch conversation {
        case .room(let room):
            self.init(
                room: room, to: nil, id: message.id, seq: message.seq, from: message.from, text: message.text,
                ts: message.timestamp, event: message.event
            )
        case .direct:
            self.init(
                room: nil, to: conversation.peer(of: message.from) ?? message.from, id: message.id,
                seq: message.seq, from: message.from, text: message.text, ts: message.timestamp
            )
        }
        update = message.update
        replyTo = message.replyTo
        editedAt = message.editedAt
        deletedBy = message.deletedBy
        reactions = message.reactions.isEmpty ? nil : message.reactions.entries
        mentions = message.mentions.isEmpty ? nil : message.mentions
        attachments = message.attachments.isEmpty ? nil : message.attachments
    }

    enum CodingKeys: String, CodingKey {
        case type, room, to, id, seq, from, text, ts, event, update, replyTo, editedAt, deletedBy, reactions, mentions,
            attachments
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encodeIfPresent(room, forKey: .room)
        try container.encodeIfPresent(to, forKey: .to)
        try container.encode(id, forKey: .id)
        try container.encode(seq, forKey: .seq)
        try container.encode(from, forKey: .from)
        if update == nil { try container.encode(text, forKey: .text) }
        try container.encode(ts, forKey: .ts)
        try container.encodeIfPresent(event, forKey: .event)
        try container.encodeIfPresent(update, forKey: .update)
        try container.encodeIfPresent(replyTo, forKey: .replyTo)
        try container.encodeIfPresent(editedAt, forKey: .editedAt)
        try container.encodeIfPresent(deletedBy, forKey: .deletedBy)
        try container.encodeIfPresent(reactions, forKey: .reactions)
        try container.encodeIfPresent(mentions, forKey: .mentions)
        try container.encodeIfPresent(attachments, forKey: .attachments)
    }
}
