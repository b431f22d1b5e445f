/// `room`: a room's stored state. The answer to `room_create`, `room_update` and `room_info`;
/// only `room_info` fills `members` (and, for moderators, `bans` and `mutes`).
public struct RoomFrame: Encodable, Sendable, Equatable {
    public let type = "room"
    public var room: String
    public var topic: String
    public var visibility: RoomVisibility
    public var creator: String
    /// The asking user's role in the room; absent when they are not a stored member.
    public var role: RoomRole?
    /// The client frame this answers.
    public var ref: String
    public var members: [Member]?
    /// False when `members` lists only the first `Hub.maxListedMembers`.
    public var membersComplete: Bool?
    public var bans: [Ban]?
    public var mutes: [Mute]?
    /// The room's retention override in days (0: kept forever); absent when the room follows
    /// the server's setting or the store keeps no retention.
    public var retentionDays: Int?

    /// A stored member and their role.
    public struct Member: Encodable, Sendable, Equatable {
        public var user: String
        public var role: RoomRole
    }

    /// An active ban.
    public struct Ban: Encodable, Sendable, Equatable {
        public var user: String
        public var until: Int64?
        public var reason: String
        public var by: String
    }

    /// An active mute.
    public struct Mute: Encodable, Sendable, Equatable {
        public var user: String
        public var until: Int64?
        public var by: String
    }

    public init(_ room: Room, role: RoomRole?, ref: String) {
        self.room = room.name
        self.topic = room.topic
        self.visibility = room.visibility
        self.creator = room.creator
        self.role = role
        self.ref = ref
    }
}
