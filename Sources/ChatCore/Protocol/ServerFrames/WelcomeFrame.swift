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

    /// The subset of `ChatLimits` a client needs.
    public struct Limits: Encodable, Sendable {
        public var maxTextScalars: Int
        public var maxFrameBytes: Int
        public var maxNameLength: Int
        public var typingExpiryMillis: Int64
    }

    public init(
        user: String, session: String, node: String, limits: ChatLimits, registered: Bool = false,
        unread: [UnreadConversation]? = nil
    ) {
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
