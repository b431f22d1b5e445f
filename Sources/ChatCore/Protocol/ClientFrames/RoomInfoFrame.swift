/// `room_info`: a room's stored state, its members with their roles, and (for its moderators)
/// its bans and mutes, which a client needs to draw a member list and room settings.
public struct RoomInfoFrame: Decodable, Sendable, Equatable {
    public var room: String

    public init(room: String) { self.room = room }
}
