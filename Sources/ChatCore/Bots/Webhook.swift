/// An incoming webhook: a secret URL (`/hooks/<secret>`) that posts to one room as one bot.
///
/// The secret is shown once, at creation; the store keeps its SHA-256 only. The `id` is not a
/// secret: it names the hook in listings and in `revoke`.
public struct Webhook: Sendable, Equatable {
    /// A short public name of the hook (12 lowercase hex characters).
    public var id: String
    /// The bot it posts as.
    public var bot: String
    /// The room it posts to (within the bot's scope when made).
    public var room: String
    /// Who made it: an admin's name, or `(operator)`.
    public var createdBy: String
    /// Milliseconds since 1970-01-01 UTC.
    public var createdAt: Int64
    /// When it was revoked; nil while it is live.
    public var revokedAt: Int64?

    public init(id: String, bot: String, room: String, createdBy: String, createdAt: Int64, revokedAt: Int64? = nil) {
        self.id = id
        self.bot = bot
        self.room = room
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}
