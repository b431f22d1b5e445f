/// `presence`: a user came online in a room or left it, with the room's new online count.
public struct PresenceFrame: Encodable, Sendable {
    /// Whether the user joined or left.
    public enum Event: String, Codable, Sendable {
        case join, leave
    }

    public let type = "presence"
    public var room: String
    public var user: String
    public var event: Event
    public var online: Int

    public init(room: String, user: String, event: Event, online: Int) {
        self.room = room
        self.user = user
        self.event = event
        self.online = online
    }
}
