/// A bot account as the store keeps it: its name (an account of its own, so no user or guest
/// can take it), the scope its token carries, and whether it was revoked.
///
/// The token itself is never stored: only its SHA-256, like an account token's.
public struct Bot: Sendable, Equatable {
    /// The name as created (case preserved); its account has the same name.
    public var name: String
    /// The rooms it may post to and whether it may read them.
    public var scope: BotScope
    /// Who made it: an admin's name, or `(operator)` for the command line.
    public var createdBy: String
    /// Milliseconds since 1970-01-01 UTC.
    public var createdAt: Int64
    /// When it was revoked (ms since 1970); nil while it is live. A revoked bot's token and
    /// hooks are refused, and its name stays taken.
    public var revokedAt: Int64?

    public init(name: String, scope: BotScope, createdBy: String, createdAt: Int64, revokedAt: Int64? = nil) {
        self.name = name
        self.scope = scope
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}
