/// One of a user's rooms, as `welcome` lists them so every device restores the same rooms.
public struct RoomMembership: Sendable, Equatable {
    public var room: Room
    public var role: RoomRole
    /// Milliseconds since 1970 when the user joined.
    public var joinedAt: Int64

    public init(room: Room, role: RoomRole, joinedAt: Int64) {
        self.room = room
        self.role = role
        self.joinedAt = joinedAt
    }
}
