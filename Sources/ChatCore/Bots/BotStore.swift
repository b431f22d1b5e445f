/// Where bots, their token hashes and their incoming webhooks are kept, beside the accounts.
///
/// A bot is also an account of the same name (created in the same transaction, with a password
/// hash no password matches), so room rules that need an account (invitations into private
/// rooms, roles, bans, mutes) apply to it as to a user, and no guest or user can take its name.
/// The store keeps the SHA-256 of the bot token and of each hook secret, never the values.
///
/// Lookups read the revocation on every call, never cached, so a revoke takes effect at once on
/// every node sharing the store. Every method throws `StoreError(.unavailable)` when the store
/// cannot be reached; `now` is milliseconds since 1970, passed in so tests control time.
public protocol BotStore: Sendable {
    /// Creates `bot` with its account and the hash of its token, in one transaction.
    ///
    /// - Throws: `BotStoreError(.nameTaken)` when an account of that name (any case) exists.
    func createBot(_ bot: Bot, account: Account, tokenHash: String) async throws

    /// The bot called `name` (any case), revoked or not, or nil.
    func bot(named name: String) async throws -> Bot?

    /// Every bot, revoked ones included, by name.
    func allBots() async throws -> [Bot]

    /// The bot the token with hash `tokenHash` posts as, or why it does not.
    func lookUpBotToken(hash tokenHash: String) async throws -> BotTokenLookup

    /// Revokes the bot, its token and every hook of it; false when no live bot has that name.
    func revokeBot(named name: String, now: Int64) async throws -> Bool

    /// Stores a new hook with the hash of its secret.
    ///
    /// - Throws: `BotStoreError(.noSuchBot)` when its bot does not exist or was revoked.
    func createWebhook(_ hook: Webhook, secretHash: String) async throws

    /// The hooks of `bot` (every bot's when nil), revoked ones included, oldest first.
    func webhooks(of bot: String?) async throws -> [Webhook]

    /// The hook with secret hash `secretHash` and its bot, or why it may not post.
    func lookUpWebhook(secretHash: String) async throws -> WebhookLookup

    /// Revokes the hook `id`; false when no live hook has it.
    func revokeWebhook(id: String, now: Int64) async throws -> Bool
}
