/// A ban of one user (or guest nick) from one room.
public struct RoomBan: Sendable, Equatable {
    /// The banned name as it was given.
    public var user: String
    /// Milliseconds since 1970 when the ban ends; nil bans for good.
    public var until: Int64?
    /// Why, as the moderator wrote it; empty when none was given.
    public var reason: String
    /// Who banned (a user name, or `RoomActor.operatorName` for the command line).
    public var bannedBy: String
    /// Milliseconds since 1970 when the ban was made.
    public var createdAt: Int64

    public init(user: String, until: Int64?, reason: String, bannedBy: String, createdAt: Int64) {
        self.user = user
        self.until = until
        self.reason = reason
        self.bannedBy = bannedBy
        self.createdAt = createdAt
    }

    /// Whether the ban still holds at `now`.
    public func isActive(at now: Int64) -> Bool { until.map { now < $0 } ?? true }
}
