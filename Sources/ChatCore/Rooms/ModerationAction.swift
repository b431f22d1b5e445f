/// What a moderation log entry records.
public enum ModerationAction: String, Sendable, Hashable, CaseIterable, Codable {
    case create
    case topic
    case visibility
    case invite
    case kick
    case ban
    case unban
    case mute
    case unmute
    case role
    case delete
    /// The room's retention override was set or removed (`MessageRetention`).
    case retention
}
