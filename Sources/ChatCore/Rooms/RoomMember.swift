/// One stored member of a room: a registered user with a role.
///
/// Guests are never stored as members: their presence lives in the hub only, and they can never
/// hold a role above `member`.
public struct RoomMember: Sendable, Equatable {
    /// The account name as registered.
    public var user: String
    public var role: RoomRole
    /// Milliseconds since 1970 when the user joined (or was made a member).
    public var joinedAt: Int64

    public init(user: String, role: RoomRole, joinedAt: Int64) {
        self.user = user
        self.role = role
        self.joinedAt = joinedAt
    }
}
