/// `message`: one chat message, live or inside a backlog or history page.
///
/// Room messages carry `room`; direct messages carry `to` (the recipient), so the client's
/// conversation is the one with whichever of `from`/`to` is not itself.
public struct MessageFrame: Encodable, Sendable, Equatable {
    public let type = "message"
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

    /// The frame of a stored message of `conversation`.
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
    }
}
