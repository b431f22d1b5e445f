/// `room`: a room's stored state. The answer to `room_create`, `room_update` and `room_info`;
/// only `room_info` fills `members` (and, for moderators, `bans`, `mutes` and `log`).
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
    /// The newest entries of the room's moderation log, oldest first (moderators only): who
    /// did what, and what each edit replaced, which no one else ever sees.
    public var log: [LogEntry]?
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

    /// A moderation log entry (`ModerationEntry`).
    public struct LogEntry: Encodable, Sendable, Equatable {
        public var action: ModerationAction
        public var by: String
        public var user: String?
        /// The topic, visibility, role, reason or `until` of the action; for `edit`, the text
        /// before it (empty once the message was deleted).
        public var detail: String
        public var ts: Int64
        /// For `edit`: the message's `seq`.
        public var seq: Int64?

        public init(_ entry: ModerationEntry) {
            action = entry.action
            by = entry.actor
            user = entry.target
            detail = entry.detail
            ts = entry.createdAt
            seq = entry.seq
        }
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
