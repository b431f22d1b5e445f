/// What `RoomStore.join` decided.
public struct RoomJoin: Sendable, Equatable {
    /// The room as stored; use its `name` as the canonical spelling (conversation keys, frames).
    public var room: Room
    /// The joiner's role; `member` for guests, whose membership is not stored.
    public var role: RoomRole
    /// True when this join created the room (a first join of an unknown public name).
    public var created: Bool
    /// Whether the joiner is muted in the room, so the hub can refuse their `send` with `muted`
    /// without asking the store on every send.
    public var mute: Mute

    /// A member's mute as of the join.
    public enum Mute: Sendable, Equatable {
        case none
        /// Muted until a time (ms since 1970), or for ever (nil).
        case until(Int64?)
    }

    public init(room: Room, role: RoomRole, created: Bool, mutedUntil: Int64?? = .none) {
        self.room = room
        self.role = role
        self.created = created
        self.mute = mutedUntil.map { .until($0) } ?? .none
    }
}
