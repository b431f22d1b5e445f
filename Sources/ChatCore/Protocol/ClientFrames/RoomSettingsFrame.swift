/// `room_create` and `room_update`: a room's topic and visibility, set by its owner (or, at
/// creation, its creator). Absent fields keep their value (on create: empty topic, `public`).
///
/// `room_update` also takes `retentionDays` from a server admin: the room's retention override
/// (0 keeps everything; `MessageRetention`). `room_create` ignores it.
public struct RoomSettingsFrame: Decodable, Sendable, Equatable {
    public var room: String
    public var topic: String?
    public var visibility: RoomVisibility?
    public var retentionDays: Int?

    public init(room: String, topic: String? = nil, visibility: RoomVisibility? = nil, retentionDays: Int? = nil) {
        self.room = room
        self.topic = topic
        self.visibility = visibility
        self.retentionDays = retentionDays
    }
}
