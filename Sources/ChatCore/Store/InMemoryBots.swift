/// The in-memory store's bots and hooks, by hash: the same rules as the SQLite and PostgreSQL
/// tables (`BotStore`), kept under one lock (`InMemoryMessageStore.bots`).
///
/// Bounded by what operators make: bots and hooks are created by hand, one command at a time.
struct InMemoryBots {
    private struct HookEntry {
        var hook: Webhook
        var secretHash: String
    }

    /// By `Account.key(for:)` of the name.
    private var bots: [String: Bot] = [:]
    /// Token hash → bot key.
    private var tokens: [String: String] = [:]
    /// By id, in creation order.
    private var hooks: [String: HookEntry] = [:]
    private var hookOrder: [String] = []

    mutating func create(_ bot: Bot, tokenHash: String) {
        let key = Account.key(for: bot.name)
        bots[key] = bot
        tokens[tokenHash] = key
    }

    func bot(named name: String) -> Bot? { bots[Account.key(for: name)] }

    func all() -> [Bot] { bots.sorted { $0.key < $1.key }.map(\.value) }

    func lookUpToken(_ tokenHash: String) -> BotTokenLookup {
        guard let key = tokens[tokenHash], let bot = bots[key] else { return .unknown }
        return bot.revokedAt == nil ? .valid(bot) : .revoked
    }

    mutating func revoke(named name: String, now: Int64) -> Bool {
        let key = Account.key(for: name)
        guard bots[key] != nil, bots[key]?.revokedAt == nil else { return false }
        bots[key]?.revokedAt = now
        for id in hookOrder where Account.key(for: hooks[id]?.hook.bot ?? "") == key && hooks[id]?.hook.revokedAt == nil
        {
            hooks[id]?.hook.revokedAt = now
        }
        return true
    }

    mutating func createHook(_ hook: Webhook, secretHash: String) throws(BotStoreError) {
        guard let bot = bots[Account.key(for: hook.bot)], bot.revokedAt == nil else {
            throw BotStoreError(.noSuchBot, "no live bot is called `\(hook.bot)`")
        }
        // The bot as it was made, as the durable stores' join answers it.
        var hook = hook
        hook.bot = bot.name
        hooks[hook.id] = HookEntry(hook: hook, secretHash: secretHash)
        hookOrder.append(hook.id)
    }

    func hooks(of bot: String?) -> [Webhook] {
        hookOrder.compactMap { hooks[$0]?.hook }.filter { hook in
            bot.map { Account.key(for: $0) == Account.key(for: hook.bot) } ?? true
        }
    }

    func lookUpHook(secretHash: String) -> WebhookLookup {
        guard let entry = hooks.values.first(where: { $0.secretHash == secretHash }),
            let bot = bots[Account.key(for: entry.hook.bot)]
        else { return .unknown }
        guard entry.hook.revokedAt == nil, bot.revokedAt == nil else { return .revoked }
        return .valid(entry.hook, bot)
    }

    mutating func revokeHook(id: String, now: Int64) -> Bool {
        guard hooks[id] != nil, hooks[id]?.hook.revokedAt == nil else { return false }
        hooks[id]?.hook.revokedAt = now
        return true
    }
}
