/// The validation limits every transport and the `Hub` enforce.
///
/// They live in one value so an operator can tune them in one place and so every transport
/// (native WebSocket, SockJS) refuses the same input with the same error.
public struct ChatLimits: Sendable, Equatable {
    /// Longest room or user name, in characters of `[A-Za-z0-9_-]`.
    public var maxNameLength: Int
    /// Longest message text, in Unicode scalars.
    public var maxTextScalars: Int
    /// Largest inbound frame, in bytes. Larger frames close the connection (1009).
    public var maxFrameBytes: Int
    /// Most messages a single `history` request or backlog returns.
    public var maxHistoryPage: Int
    /// Most messages a `join` with `since` replays before answering `recovered: false`.
    public var maxBacklog: Int
    /// How many recent messages a fresh `join` (without `since`) includes.
    public var joinRecentCount: Int
    /// How long a typing indicator lives without being refreshed.
    public var typingExpiry: Duration
    /// The shortest interval between two accepted `typing` starts of one user in one
    /// conversation. Faster ones are ignored: typing is ephemeral.
    public var typingThrottle: Duration
    /// Most rooms one session may be in at once.
    public var maxRoomsPerSession: Int
    /// Rooms with more users online than this are "large": per-user `presence` join/leave
    /// frames would cost O(members²) while the room fills, so members get a count-only
    /// `presence` (event `count`) at most once per presence-count interval instead, and
    /// `joined` lists only a sample of the members.
    public var presenceDetailLimit: Int
    /// How many members `joined` lists for a large room.
    public var joinedMembersSample: Int
    /// How long a `send` may take from its arrival to its answer: waiting
    /// for the conversation's earlier sends, storing and the broker's confirm together. Past
    /// it the client gets `error` `unavailable` (retry with the same cid) instead of waiting on
    /// a database or broker that does not answer.
    public var sendTimeout: Duration

    /// Creates limits; every default is the documented server default.
    public init(
        maxNameLength: Int = 32,
        maxTextScalars: Int = 4000,
        maxFrameBytes: Int = 64 * 1024,
        maxHistoryPage: Int = 100,
        maxBacklog: Int = 1000,
        joinRecentCount: Int = 50,
        typingExpiry: Duration = .seconds(6),
        typingThrottle: Duration = .seconds(1),
        maxRoomsPerSession: Int = 100,
        presenceDetailLimit: Int = 1000,
        joinedMembersSample: Int = 100,
        sendTimeout: Duration = .seconds(10)
    ) {
        self.maxNameLength = maxNameLength
        self.maxTextScalars = maxTextScalars
        self.maxFrameBytes = maxFrameBytes
        self.maxHistoryPage = maxHistoryPage
        self.maxBacklog = maxBacklog
        self.joinRecentCount = joinRecentCount
        self.typingExpiry = typingExpiry
        self.typingThrottle = typingThrottle
        self.maxRoomsPerSession = maxRoomsPerSession
        self.presenceDetailLimit = presenceDetailLimit
        self.joinedMembersSample = joinedMembersSample
        self.sendTimeout = sendTimeout
    }
}
