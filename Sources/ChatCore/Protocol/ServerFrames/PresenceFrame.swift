/// `presence`: a user came online in a room or left it, with the room's new online count; or,
/// in a large room, only the new count (event `count`, no `user`), sent at most once per
/// presence-count interval; or, when several users came or went within one presence batch
/// window, all of them at once (event `batch`, with `joined` and `left`, no `user`).
public struct PresenceFrame: Encodable, Sendable, Equatable {
    /// Whether the user joined or left, or only the count changed.
    public enum Event: String, Codable, Sendable {
        case join, leave, count, batch
    }

    public let type = "presence"
    public var room: String
    public var user: String?
    public var event: Event
    public var online: Int
    /// Event `batch`: the users who came online in the room since the last presence frame.
    public var joined: [String]?
    /// Event `batch`: the users who went offline in the room since the last presence frame.
    public var left: [String]?

    public init(room: String, user: String?, event: Event, online: Int, joined: [String]? = nil, left: [String]? = nil)
    {
        self.room = room
        self.user = user
        self.event = event
        self.online = online
        self.joined = joined
        self.left = left
    }
}
