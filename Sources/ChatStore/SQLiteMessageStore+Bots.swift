package import ChatCore
import GRDB

extension SQLiteMessageStore: BotStore {
    package func createBot(_ bot: Bot, account: Account, tokenHash: String) async throws {
        try await guarded {
            try await pool.write { db in
                let key = Account.key(for: bot.name)
                let exists =
                    try Bool.fetchOne(
                        db, sql: "SELECT EXISTS (SELECT 1 FROM accounts WHERE name_key = ?)", arguments: [key]) ?? false
                guard !exists else {
                    throw BotStoreError(.nameTaken, "the name `\(bot.name)` is already taken by an account or a bot")
                }
                try db.execute(
                    sql: "INSERT INTO accounts (name_key, name, password_hash, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [key, account.name, account.passwordHash, account.createdAt])
                try db.execute(
                    sql: """
                        INSERT INTO bots (name_key, name, token_hash, rooms, may_read, created_by, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        key, bot.name, tokenHash, Self.namesJSON(bot.scope.rooms) ?? "[]", bot.scope.mayRead,
                        bot.createdBy, bot.createdAt,
                    ])
            }
        }
    }

    package func bot(named name: String) async throws -> Bot? {
        try await guarded {
            try await pool.read { db in
                try Row.fetchOne(
                    db, sql: "SELECT \(Self.botTableColumns) FROM bots WHERE name_key = ?",
                    arguments: [Account.key(for: name)]
                ).map(Self.bot)
            }
        }
    }

    package func allBots() async throws -> [Bot] {
        try await guarded {
            try await pool.read { db in
                try Row.fetchAll(db, sql: "SELECT \(Self.botTableColumns) FROM bots ORDER BY name_key").map(Self.bot)
            }
        }
    }

    package func lookUpBotToken(hash tokenHash: String) async throws -> BotTokenLookup {
        try await guarded {
            try await pool.read { db in
                guard
                    let row = try Row.fetchOne(
                        db,
                        sql: """
                            SELECT \(Self.botColumns("b")), a.disabled_at FROM bots b
                            JOIN accounts a ON a.name_key = b.name_key WHERE b.token_hash = ?
                            """,
                        arguments: [tokenHash])
                else { return .unknown }
                // Read on every lookup, never cached: a revoke holds at once on every process.
                let bot = Self.bot(row)
                let disabledAt: Int64? = row["disabled_at"]
                return bot.revokedAt == nil && disabledAt == nil ? .valid(bot) : .revoked
            }
        }
    }

    package func revokeBot(named name: String, now: Int64) async throws -> Bool {
        try await guarded {
            try await pool.write { db in
                let key = Account.key(for: name)
                try db.execute(
                    sql: "UPDATE bots SET revoked_at = ? WHERE name_key = ? AND revoked_at IS NULL",
                    arguments: [now, key])
                guard db.changesCount > 0 else { return false }
                try db.execute(
                    sql: "UPDATE webhooks SET revoked_at = ? WHERE bot_key = ? AND revoked_at IS NULL",
                    arguments: [now, key])
                return true
            }
        }
    }

    package func createWebhook(_ hook: Webhook, secretHash: String) async throws {
        try await guarded {
            try await pool.write { db in
                let key = Account.key(for: hook.bot)
                let live =
                    try Bool.fetchOne(
                        db, sql: "SELECT EXISTS (SELECT 1 FROM bots WHERE name_key = ? AND revoked_at IS NULL)",
                        arguments: [key]) ?? false
                guard live else { throw BotStoreError(.noSuchBot, "no live bot is called `\(hook.bot)`") }
                try db.execute(
                    sql: """
                        INSERT INTO webhooks (id, secret_hash, bot_key, room, created_by, created_at)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [hook.id, secretHash, key, hook.room, hook.createdBy, hook.createdAt])
            }
        }
    }

    package func webhooks(of bot: String?) async throws -> [Webhook] {
        try await guarded {
            try await pool.read { db in
                let sql = """
                    SELECT \(Self.webhookColumns) FROM webhooks w JOIN bots b ON b.name_key = w.bot_key
                    \(bot == nil ? "" : "WHERE w.bot_key = ?") ORDER BY w.created_at, w.id
                    """
                let arguments = bot.map { StatementArguments([Account.key(for: $0)]) } ?? StatementArguments()
                return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.webhook)
            }
        }
    }

    package func lookUpWebhook(secretHash: String) async throws -> WebhookLookup {
        try await guarded {
            try await pool.read { db in
                guard
                    let row = try Row.fetchOne(
                        db,
                        sql: """
                            SELECT \(Self.webhookColumns), \(Self.botColumns("b")), a.disabled_at FROM webhooks w
                            JOIN bots b ON b.name_key = w.bot_key JOIN accounts a ON a.name_key = b.name_key
                            WHERE w.secret_hash = ?
                            """,
                        arguments: [secretHash])
                else { return .unknown }
                let hook = Self.webhook(row)
                let bot = Self.bot(row)
                let disabledAt: Int64? = row["disabled_at"]
                guard hook.revokedAt == nil, bot.revokedAt == nil, disabledAt == nil else { return .revoked }
                return .valid(hook, bot)
            }
        }
    }

    package func revokeWebhook(id: String, now: Int64) async throws -> Bool {
        try await guarded {
            try await pool.write { db in
                try db.execute(
                    sql: "UPDATE webhooks SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [now, id])
                return db.changesCount > 0
            }
        }
    }

    /// Every bot column of the `bots` table, as `bot(_:)` reads them.
    static let botTableColumns = botColumns("bots")

    /// The bot columns of table alias `table`, named as `bot(_:)` reads them.
    static func botColumns(_ table: String) -> String {
        ["name", "rooms", "may_read", "created_by", "created_at", "revoked_at"]
            .map { "\(table).\($0) AS bot_\($0)" }.joined(separator: ", ")
    }

    static func bot(_ row: Row) -> Bot {
        Bot(
            name: row["bot_name"], scope: BotScope(rooms: names(row["bot_rooms"]), mayRead: row["bot_may_read"]),
            createdBy: row["bot_created_by"], createdAt: row["bot_created_at"], revokedAt: row["bot_revoked_at"])
    }

    static let webhookColumns =
        "w.id AS hook_id, b.name AS hook_bot, w.room AS hook_room, w.created_by AS hook_created_by, "
        + "w.created_at AS hook_created_at, w.revoked_at AS hook_revoked_at"

    static func webhook(_ row: Row) -> Webhook {
        Webhook(
            id: row["hook_id"], bot: row["hook_bot"], room: row["hook_room"], createdBy: row["hook_created_by"],
            createdAt: row["hook_created_at"], revokedAt: row["hook_revoked_at"])
    }
}
