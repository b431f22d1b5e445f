/// `welcome`: the answer to `hello`; tells the client who it is and the limits it must respect.
public struct WelcomeFrame: Encodable, Sendable {
    public let type = "welcome"
    /// Protocol version spoken on this connection.
    public var `protocol` = 1
    /// The user name the server assigned (the nickname for guests).
    public var user: String
    /// This session's id, for support and logs.
    public var session: String
    /// The id of the node the client is connected to.
    public var node: String
    /// The limits the server enforces, so a client can check before sending.
    public var limits: Limits
    /// Whether the user signed in with an account token (false: a guest nick).
    public var registered: Bool
    /// For registered users: direct conversations with messages sent while they were away
    /// (fetch them with `history` and `peer`). Absent for guests.
    public var unread: [UnreadConversation]?
    /// For registered users: every room they are a stored member of, by name, so signing in on
    /// any device restores the same rooms (join them to get their messages). Absent for guests.
    public var rooms: [RoomEntry]?
    /// For registered users: the peers of their direct conversations that hold a message, by
    /// name. Absent for guests.
    public var dms: [String]?
    /// A registered user's block list: clients hide room messages from these users.
    public var blocked: [String]?
    /// True for a server admin (absent otherwise), so the client offers an admin's controls.
    public var admin: Bool?

    /// One of the user's rooms as `welcome` lists it.
    public struct RoomEntry: Encodable, Sendable, Equatable {
        /// The stored spelling (use it in `join`).
        public var name: String
        public var topic: String
        public var visibility: RoomVisibility
        /// The user's role in the room.
        public var role: RoomRole
        /// Messages of others after the user's read position (at most 1000); absent when the
        /// store could not say.
        public var unread: Int64?
        /// Those of them that mention the user.
        public var mentions: Int64?
        /// The user's read position in the room.
        public var readSeq: Int64?
        /// The room's newest `seq`.
        public var lastSeq: Int64?

        public init(_ membership: RoomMembership, unread: UnreadRoom? = nil) {
            name = membership.room.name
            topic = membership.room.topic
            visibility = membership.room.visibility
            role = membership.role
            self.unread = unread?.count
            mentions = unread?.mentions
            readSeq = unread?.readSeq
            lastSeq = unread?.lastSeq
        }
    }

    /// The subset of `ChatLimits` a client needs.
    public struct Limits: Encodable, Sendable {
        public var maxTextScalars: Int
        public var maxFrameBytes: Int
        public var maxNameLength: Int
        public var typingExpiryMillis: Int64
    }

    public init(
        user: String, session: String, node: String, limits: ChatLimits, registered: Bool = false,
        unread: [UnreadConversation]? = nil, rooms: [RoomEntry]? = nil, dms: [String]? = nil,
        blocked: [String]? = nil, admin: Bool? = nil
    ) {
        self.admin = admin
        self.blocked = blocked
        self.rooms = rooms
        self.dms = dms
        self.user = user
        self.registered = registered
        self.unread = unread
        self.session = session
        self.node = node
        self.limits = Limits(
            maxTextScalars: limits.maxTextScalars, maxFrameBytes: limits.maxFrameBytes,
            maxNameLength: limits.maxNameLength, typingExpiryMillis: limits.typingExpiry.wholeMilliseconds
        )
    }
}
