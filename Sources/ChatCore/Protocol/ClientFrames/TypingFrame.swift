/// `typing`: the user started or stopped typing in a room or to a user.
///
/// Ephemeral: never stored, never confirmed; the server expires a start after about 6 s.
public struct TypingFrame: Decodable, Sendable, Equatable {
    /// Whether typing started or stopped.
    public enum State: String, Codable, Sendable {
        case start, stop
    }

    public var target: ConversationTarget
    public var state: State

    public init(target: ConversationTarget, state: State) {
        self.target = target
        self.state = state
    }

    enum CodingKeys: String, CodingKey { case room, to, state }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.state = try container.decode(State.self, forKey: .state)
        self.target = try ConversationTarget.decode(from: container, roomKey: .room, userKey: .to)
    }
}
