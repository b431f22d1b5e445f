/// `read`: the user has read a conversation up to `seq`; the other members get a `receipt`.
public struct ReadFrame: Decodable, Sendable, Equatable {
    public var target: ConversationTarget
    public var seq: Int64

    public init(target: ConversationTarget, seq: Int64) {
        self.target = target
        self.seq = seq
    }

    enum CodingKeys: String, CodingKey { case room, peer, seq }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.seq = try container.decode(Int64.self, forKey: .seq)
        self.target = try ConversationTarget.decode(from: container, roomKey: .room, userKey: .peer)
    }
}
