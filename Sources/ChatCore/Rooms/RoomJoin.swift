/// What `RoomStore.join` decided.
public struct RoomJoin: Sendable, Equatable {
    /// The room as stored; use its `name` as the canonical spelling (conversation keys, frames).
    public var room: Room
    /// The joiner's role; `member` for guests, whose membership is not stored.
    public var role: RoomRole
    /// True when this join created the room (a first join of an unknown public name).
    public var created: Bool

    public init(room: Room, role: RoomRole, created: Bool) {
        self.room = room
        self.role = role
        self.created = created
    }
}
