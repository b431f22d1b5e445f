/// The answer to "which bot does this token post as?", saying why a token is refused.
public enum BotTokenLookup: Sendable, Equatable {
    /// The token is live: the bot and its scope.
    case valid(Bot)
    /// The bot was revoked (or its account disabled).
    case revoked
    /// No bot token has this hash.
    case unknown
}
