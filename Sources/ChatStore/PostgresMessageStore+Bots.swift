package import ChatCore
import PostgresNIO

extension PostgresMessageStore: BotStore {
    package func createBot(_ bot: Bot, account: Account, tokenHash: String) async throws {
        try await guarded {
            let key = Account.key(for: bot.name)
            let rooms = SQLiteMessageStore.namesJSON(bot.scope.rooms) ?? "[]"
            do {
                try await transaction { connection in
                    try await connection.checkedQuery(
                        """
                        INSERT INTO accounts (name_key, name, password_hash, created_at)
                        VALUES (\(key), \(account.name), \(account.passwordHash), \(account.createdAt))
                        """, logger: self.logger)
                    try await connection.checkedQuery(
                        """
                        INSERT INTO bots (name_key, name, token_hash, rooms, may_read, created_by, created_at)
                        VALUES (\(key), \(bot.name), \(tokenHash), \(rooms), \(bot.scope.mayRead), \(bot.createdBy), \(bot.createdAt))
                        """, logger: self.logger)
                }
            } catch  where Self.isUniqueViolation(error) {
                throw BotStoreError(.nameTaken, "the name `\(bot.name)` is already taken by an account or a bot")
            }
        }
    }

    package func bot(named name: String) async throws -> Bot? {
        try await guarded {
            try Self.bots(
                await query(
                    "SELECT \(unescaped: Self.botColumns) FROM bots b WHERE b.name_key = \(Account.key(for: name))")
            ).first
        }
    }

    package func allBots() async throws -> [Bot] {
        try await guarded {
            try Self.bots(await query("SELECT \(unescaped: Self.botColumns) FROM bots b ORDER BY b.name_key"))
        }
    }

    package func lookUpBotToken(hash tokenHash: String) async throws -> BotTokenLookup {
        try await guarded {
            let rows = try await query(
                """
                SELECT \(unescaped: Self.botColumns), a.disabled_at IS NOT NULL FROM bots b
                JOIN accounts a ON a.name_key = b.name_key WHERE b.token_hash = \(tokenHash)
                """)
            guard let row = rows.first else { return .unknown }
            // Read on every lookup, never cached: a revoke holds at once on every node.
            let (name, rooms, mayRead, createdBy, createdAt, revokedAt, disabled) = try row.decode(
                (String, String, Bool, String, Int64, Int64?, Bool).self)
            let bot = Bot(
                name: name, scope: BotScope(rooms: SQLiteMessageStore.names(rooms), mayRead: mayRead),
                createdBy: createdBy, createdAt: createdAt, revokedAt: revokedAt)
            return revokedAt == nil && !disabled ? .valid(bot) : .revoked
        }
    }

    package func revokeBot(named name: String, now: Int64) async throws -> Bool {
        try await guarded {
            let key = Account.key(for: name)
            return try await transaction { connection in
                let rows = try await connection.checkedQuery(
                    "UPDATE bots SET revoked_at = \(now) WHERE name_key = \(key) AND revoked_at IS NULL RETURNING name_key",
                    logger: self.logger)
                guard !rows.isEmpty else { return false }
                try await connection.checkedQuery(
                    "UPDATE webhooks SET revoked_at = \(now) WHERE bot_key = \(key) AND revoked_at IS NULL",
                    logger: self.logger)
                return true
            }
        }
    }

    package func createWebhook(_ hook: Webhook, secretHash: String) async throws {
        try await guarded {
            let key = Account.key(for: hook.bot)
            // Inserted only while the bot is live, in one statement: a concurrent revoke either
            // comes first (nothing inserted) or revokes the new hook with the others.
            let rows = try await query(
                """
                INSERT INTO webhooks (id, secret_hash, bot_key, room, created_by, created_at)
                SELECT \(hook.id), \(secretHash), name_key, \(hook.room), \(hook.createdBy), \(hook.createdAt)
                FROM bots WHERE name_key = \(key) AND revoked_at IS NULL RETURNING id
                """)
            guard !rows.isEmpty else { throw BotStoreError(.noSuchBot, "no live bot is called `\(hook.bot)`") }
        }
    }

    package func webhooks(of bot: String?) async throws -> [Webhook] {
        try await guarded {
            let rows =
                if let bot {
                    try await query(
                        """
                        SELECT \(unescaped: Self.webhookColumns) FROM webhooks w JOIN bots b ON b.name_key = w.bot_key
                        WHERE w.bot_key = \(Account.key(for: bot)) ORDER BY w.created_at, w.id
                        """)
                } else {
                    try await query(
                        """
                        SELECT \(unescaped: Self.webhookColumns) FROM webhooks w JOIN bots b ON b.name_key = w.bot_key
                        ORDER BY w.created_at, w.id
                        """)
                }
            return try rows.map { row in
                let (id, bot, room, createdBy, createdAt, revokedAt) = try row.decode(
                    (String, String, String, String, Int64, Int64?).self)
                return Webhook(
                    id: id, bot: bot, room: room, createdBy: createdBy, createdAt: createdAt, revokedAt: revokedAt)
            }
        }
    }

    package func lookUpWebhook(secretHash: String) async throws -> WebhookLookup {
        try await guarded {
            let rows = try await query(
                """
                SELECT \(unescaped: Self.webhookColumns), \(unescaped: Self.botColumns), a.disabled_at IS NOT NULL
                FROM webhooks w JOIN bots b ON b.name_key = w.bot_key JOIN accounts a ON a.name_key = b.name_key
                WHERE w.secret_hash = \(secretHash)
                """)
            guard let row = rows.first else { return .unknown }
            let columns = try row.decode(
                (String, String, String, String, Int64, Int64?, String, String, Bool, String, Int64, Int64?, Bool).self)
            let hook = Webhook(
                id: columns.0, bot: columns.1, room: columns.2, createdBy: columns.3, createdAt: columns.4,
                revokedAt: columns.5)
            let bot = Bot(
                name: columns.6, scope: BotScope(rooms: SQLiteMessageStore.names(columns.7), mayRead: columns.8),
                createdBy: columns.9, createdAt: columns.10, revokedAt: columns.11)
            guard hook.revokedAt == nil, bot.revokedAt == nil, !columns.12 else { return .revoked }
            return .valid(hook, bot)
        }
    }

    package func revokeWebhook(id: String, now: Int64) async throws -> Bool {
        try await guarded {
            !(try await query(
                "UPDATE webhooks SET revoked_at = \(now) WHERE id = \(id) AND revoked_at IS NULL RETURNING id"
            ).isEmpty)
        }
    }

    /// The bot columns of alias `b`, in the order `bots(_:)` decodes them.
    static let botColumns = "b.name, b.rooms, b.may_read, b.created_by, b.created_at, b.revoked_at"

    /// The hook columns of alias `w` (and its bot's name from `b`), in the order they are decoded.
    static let webhookColumns = "w.id, b.name, w.room, w.created_by, w.created_at, w.revoked_at"

    static func bots(_ rows: PostgresQueryResult) throws -> [Bot] {
        try rows.map { row in
            let (name, rooms, mayRead, createdBy, createdAt, revokedAt) = try row.decode(
                (String, String, Bool, String, Int64, Int64?).self)
            return Bot(
                name: name, scope: BotScope(rooms: SQLiteMessageStore.names(rooms), mayRead: mayRead),
                createdBy: createdBy, createdAt: createdAt, revokedAt: revokedAt)
        }
    }
}
