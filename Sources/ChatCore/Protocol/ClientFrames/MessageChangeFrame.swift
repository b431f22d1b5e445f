/// `edit`, `delete` and `react`: a change to an earlier message of a room or DM. They share
/// their fields, so one type carries them, told apart by `action` (the frame's `type`). Each is
/// answered with `ack` (idempotent by `cid`, like `send`), and members get an `update` entry of
/// the conversation's `seq` stream.
public struct MessageChangeFrame: Sendable, Equatable {
    public var target: ConversationTarget
    public var action: MessageUpdate.Action
    /// The message changed.
    public var seq: Int64
    public var cid: String
    /// For `edit`: the new text.
    public var text: String?
    /// For `react`: the emoji.
    public var emoji: String?
    /// For `react`: add (true, the default) or take back (false).
    public var on: Bool

    public init(
        _ action: MessageUpdate.Action, target: ConversationTarget, seq: Int64, cid: String, text: String? = nil,
        emoji: String? = nil, on: Bool = true
    ) {
        self.action = action
        self.target = target
        self.seq = seq
        self.cid = cid
        self.text = text
        self.emoji = emoji
        self.on = on
    }

    /// The fields as they arrive; `action` comes from the envelope's `type`.
    struct Fields: Decodable {
        var target: ConversationTarget
        var seq: Int64
        var cid: String
        var text: String?
        var emoji: String?
        var on: Bool?

        enum CodingKeys: String, CodingKey { case room, to, seq, cid, text, emoji, on }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.cid = try container.decode(String.self, forKey: .cid)
            self.seq = try container.decode(Int64.self, forKey: .seq)
            self.text = try container.decodeIfPresent(String.self, forKey: .text)
            self.emoji = try container.decodeIfPresent(String.self, forKey: .emoji)
            self.on = try container.decodeIfPresent(Bool.self, forKey: .on)
            self.target = try ConversationTarget.decode(from: container, roomKey: .room, userKey: .to)
        }
    }

    init(_ action: MessageUpdate.Action, _ fields: Fields) {
        self.init(
            action, target: fields.target, seq: fields.seq, cid: fields.cid, text: fields.text, emoji: fields.emoji,
            on: fields.on ?? true)
    }
}
