/// A mute of one user (or guest nick) in one room: they stay, but their `send` is refused.
public struct RoomMute: Sendable, Equatable {
    public var user: String
    /// Milliseconds since 1970 when the mute ends; nil mutes until unmuted.
    public var until: Int64?
    /// Who muted.
    public var mutedBy: String
    /// Milliseconds since 1970 when the mute was made.
    public var createdAt: Int64

    public init(user: String, until: Int64?, mutedBy: String, createdAt: Int64) {
        self.user = user
        self.until = until
        self.mutedBy = mutedBy
        self.createdAt = createdAt
    }

    /// Whether the mute still holds at `now`.
    public func isActive(at now: Int64) -> Bool { until.map { now < $0 } ?? true }
}
