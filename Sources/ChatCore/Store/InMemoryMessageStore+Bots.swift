import Synchronization

/// The in-memory store's bots: their accounts in `accounts`, their records in `bots`.
extension InMemoryMessageStore: BotStore {
    public func createBot(_ bot: Bot, account: Account, tokenHash: String) async throws {
        do {
            try await accounts.createAccount(account)
        } catch let error as AccountStoreError where error.code == .nameTaken {
            throw BotStoreError(.nameTaken, "the name `\(bot.name)` is already taken by an account or a bot")
        }
        bots.withLock { $0.create(bot, tokenHash: tokenHash) }
    }

    public func bot(named name: String) async throws -> Bot? { bots.withLock { $0.bot(named: name) } }

    public func allBots() async throws -> [Bot] { bots.withLock { $0.all() } }

    public func lookUpBotToken(hash tokenHash: String) async throws -> BotTokenLookup {
        let lookup = bots.withLock { $0.lookUpToken(tokenHash) }
        // A disabled account refuses its bot's token too, as the durable stores' join does.
        if case .valid(let bot) = lookup, try await accounts.account(named: bot.name)?.isDisabled == true {
            return .revoked
        }
        return lookup
    }

    public func revokeBot(named name: String, now: Int64) async throws -> Bool {
        bots.withLock { $0.revoke(named: name, now: now) }
    }

    public func createWebhook(_ hook: Webhook, secretHash: String) async throws {
        try bots.withLock { try $0.createHook(hook, secretHash: secretHash) }
    }

    public func webhooks(of bot: String?) async throws -> [Webhook] { bots.withLock { $0.hooks(of: bot) } }

    public func lookUpWebhook(secretHash: String) async throws -> WebhookLookup {
        let lookup = bots.withLock { $0.lookUpHook(secretHash: secretHash) }
        if case .valid(_, let bot) = lookup, try await accounts.account(named: bot.name)?.isDisabled == true {
            return .revoked
        }
        return lookup
    }

    public func revokeWebhook(id: String, now: Int64) async throws -> Bool {
        bots.withLock { $0.revokeHook(id: id, now: now) }
    }
}
