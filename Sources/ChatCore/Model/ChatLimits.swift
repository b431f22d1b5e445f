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
    /// How long a typing indicator lives without being refreshed, in milliseconds.
    public var typingExpiryMillis: Int64
    /// The shortest interval between two accepted `typing` starts of one user in one
    /// conversation, in milliseconds. Faster ones are ignored: typing is ephemeral.
    public var typingThrottleMillis: Int64
    /// Most rooms one session may be in at once.
    public var maxRoomsPerSession: Int
    /// Rooms with more users online than this are "large": per-user `presence` join/leave
    /// frames would cost O(members²) while the room fills, so members get a count-only
    /// `presence` (event `count`) at most once per presence-count interval instead, and
    /// `joined` lists only a sample of the members.
    public var presenceDetailLimit: Int
    /// How many members `joined` lists for a large room.
    public var joinedMembersSample: Int
    /// How long a `send` may take, in milliseconds, from its arrival to its answer: waiting
    /// for the conversation's earlier sends, storing and the broker's confirm together. Past
    /// it the client gets `error` `unavailable` (retry with the same cid) instead of waiting on
    /// a database or broker that does not answer.
    public var sendTimeoutMillis: Int64

    /// Creates limits; every default is the documented server default.
    public init(
        maxNameLength: Int = 32,
        maxTextScalars: Int = 4000,
        maxFrameBytes: Int = 64 * 1024,
        maxHistoryPage: Int = 100,
        maxBacklog: Int = 1000,
        joinRecentCount: Int = 50,
        typingExpiryMillis: Int64 = 6000,
        typingThrottleMillis: Int64 = 1000,
        maxRoomsPerSession: Int = 100,
        presenceDetailLimit: Int = 1000,
        joinedMembersSample: Int = 100,
        sendTimeoutMillis: Int64 = 10_000
    ) {
        self.maxNameLength = maxNameLength
        self.maxTextScalars = maxTextScalars
        self.maxFrameBytes = maxFrameBytes
        self.maxHistoryPage = maxHistoryPage
        self.maxBacklog = maxBacklog
        self.joinRecentCount = joinRecentCount
        self.typingExpiryMillis = typingExpiryMillis
        self.typingThrottleMillis = typingThrottleMillis
        self.maxRoomsPerSession = maxRoomsPerSession
        self.presenceDetailLimit = presenceDetailLimit
        self.joinedMembersSample = joinedMembersSample
        self.sendTimeoutMillis = sendTimeoutMillis
    }
}
