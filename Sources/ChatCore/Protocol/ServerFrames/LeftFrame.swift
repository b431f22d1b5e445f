/// `left`: the session is no longer in the room: it asked to leave, or a moderator removed it.
public struct LeftFrame: Encodable, Sendable {
    public let type = "left"
    public var room: String
    /// `kicked` or `banned` when a moderator removed the user; absent after `leave`.
    public var reason: String?
    /// Who removed the user.
    public var by: String?

    public init(room: String, reason: String? = nil, by: String? = nil) {
        self.room = room
        self.reason = reason
        self.by = by
    }
}
