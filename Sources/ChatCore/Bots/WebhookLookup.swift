/// The answer to "where does this hook secret post?".
public enum WebhookLookup: Sendable, Equatable {
    /// The hook is live, and so is its bot.
    case valid(Webhook, Bot)
    /// The hook, or its bot, was revoked.
    case revoked
    /// No hook has this secret.
    case unknown
}
