/// A room as the store keeps it: it exists whether or not anyone is online in it.
public struct Room: Sendable, Equatable {
    /// The name as created (case preserved); `Room.key(for:)` is what is unique.
    public var name: String
    /// A line shown under the name; empty when unset.
    public var topic: String
    public var visibility: RoomVisibility
    /// The user who created it (a guest's nick when a guest's first join created it).
    public var creator: String
    /// Milliseconds since 1970-01-01 UTC.
    public var createdAt: Int64

    public init(name: String, topic: String = "", visibility: RoomVisibility, creator: String, createdAt: Int64) {
        self.name = name
        self.topic = topic
        self.visibility = visibility
        self.creator = creator
        self.createdAt = createdAt
    }

    /// The case-insensitive form room names are unique under: `Lobby` and `lobby` are one room.
    ///
    /// Names are ASCII (`ChatName`), so lowercasing is the whole folding.
    public static func key(for name: String) -> String { name.lowercased() }
}
