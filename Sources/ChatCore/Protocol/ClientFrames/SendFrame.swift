/// `send`: post a message to a room (`room`) or to a user (`to`).
///
/// `cid` is the client's id for the message: a retry with the same `cid` gets the same `ack`
/// and never creates a duplicate.
public struct SendFrame: Decodable, Sendable, Equatable {
    public var target: ConversationTarget
    public var text: String
    public var cid: String
    /// The `seq` of the message this one answers, in the same conversation.
    public var replyTo: Int64?
    /// Ids of uploads (`POST /api/uploads`) the message carries, at most
    /// `MessageDraft.maxAttachments`; each must be the sender's own.
    public var attachments: [String]?

    public init(
        target: ConversationTarget, text: String, cid: String, replyTo: Int64? = nil, attachments: [String]? = nil
    ) {
        self.replyTo = replyTo
        self.attachments = attachments
        self.target = target
        self.text = text
        self.cid = cid
    }

    enum CodingKeys: String, CodingKey { case room, to, text, cid, replyTo, attachments }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.cid = try container.decode(String.self, forKey: .cid)
        self.text = try container.decode(String.self, forKey: .text)
        self.replyTo = try container.decodeIfPresent(Int64.self, forKey: .replyTo)
        self.attachments = try container.decodeIfPresent([String].self, forKey: .attachments)
        self.target = try ConversationTarget.decode(from: container, roomKey: .room, userKey: .to)
    }
}
