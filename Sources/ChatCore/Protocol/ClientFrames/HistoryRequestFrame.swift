/// `history`: a page of older messages of a room or of a direct conversation.
///
/// The page holds the newest `limit` messages with `seq < before` (all when `before` is absent),
/// newest first.
public struct HistoryRequestFrame: Decodable, Sendable, Equatable {
    public var target: ConversationTarget
    public var before: Int64?
    public var limit: Int?

    public init(target: ConversationTarget, before: Int64? = nil, limit: Int? = nil) {
        self.target = target
        self.before = before
        self.limit = limit
    }

    enum CodingKeys: String, CodingKey { case room, peer, before, limit }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.before = try container.decodeIfPresent(Int64.self, forKey: .before)
        self.limit = try container.decodeIfPresent(Int.self, forKey: .limit)
        self.target = try ConversationTarget.decode(from: container, roomKey: .room, userKey: .peer)
    }
}
