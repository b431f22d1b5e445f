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
    /// A message of the room was edited: `detail` is its text before the edit (emptied when the
    /// message is deleted later: deleted text leaves the store), `seq` the message, `target` its
    /// author. Clients never see edit history otherwise.
    case edit
    /// The room's retention override was set or removed (`MessageRetention`).
    case retention
}
