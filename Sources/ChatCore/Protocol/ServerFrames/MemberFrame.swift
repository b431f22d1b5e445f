/// `member`: the answer to a moderation frame, saying what changed for whom. (The room hears of
/// it through the event message in its `seq` stream.)
public struct MemberFrame: Encodable, Sendable, Equatable {
    public let type = "member"
    public var room: String
    public var user: String
    /// `invited`, `kicked`, `banned`, `unbanned`, `muted`, `unmuted`, `role`.
    public var change: String
    public var role: RoomRole?
    public var until: Int64?
    public var reason: String?
    public var by: String

    public init(
        room: String, user: String, change: String, role: RoomRole? = nil, until: Int64? = nil, reason: String? = nil,
        by: String
    ) {
        self.room = room
        self.user = user
        self.change = change
        self.role = role
        self.until = until
        self.reason = reason
        self.by = by
    }
}
