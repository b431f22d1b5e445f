/// `presence`: a user came online in a room or left it, with the room's new online count; or,
/// in a large room, only the new count (event `count`, no `user`), sent at most once per
/// presence-count interval.
public struct PresenceFrame: Encodable, Sendable, Equatable {
    /// Whether the user joined or left, or only the count changed.
    public enum Event: String, Codable, Sendable {
        case join, leave, count
    }

    public let type = "presence"
    public var room: String
    public var user: String?
    public var event: Event
    public var online: Int

    public init(room: String, user: String?, event: Event, online: Int) {
        self.room = room
        self.user = user
        self.event = event
        self.online = online
    }
}
