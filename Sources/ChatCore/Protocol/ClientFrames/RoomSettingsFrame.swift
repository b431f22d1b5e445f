/// `room_create` and `room_update`: a room's topic and visibility, set by its owner (or, at
/// creation, its creator). Absent fields keep their value (on create: empty topic, `public`).
public struct RoomSettingsFrame: Decodable, Sendable, Equatable {
    public var room: String
    public var topic: String?
    public var visibility: RoomVisibility?

    public init(room: String, topic: String? = nil, visibility: RoomVisibility? = nil) {
        self.room = room
        self.topic = topic
        self.visibility = visibility
    }
}
