/// Who a `hello` token signs in as: a user, or a bot with the scope its token carries.
public struct TokenIdentity: Sendable, Equatable {
    /// The account name (a bot's name for a bot token).
    public var user: String
    /// The bot's scope when the token is a bot's; nil for a user's token.
    public var botScope: BotScope?

    public init(user: String, botScope: BotScope? = nil) {
        self.user = user
        self.botScope = botScope
    }
}
