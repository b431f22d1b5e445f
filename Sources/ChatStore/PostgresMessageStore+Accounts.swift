package import ChatCore
import PostgresNIO

extension PostgresMessageStore {
    /// How long an expired or revoked token is kept so it is refused as such, not as unknown.
    static let deadTokenRetentionMillis: Int64 = 86_400_000

    package func createAccount(_ account: Account) async throws {
        try await guarded {
            do {
                _ = try await query(
                    """
                    INSERT INTO accounts (name_key, name, password_hash, created_at)
                    VALUES (\(Account.key(for: account.name)), \(account.name), \(account.passwordHash), \(account.createdAt))
                    """)
            } catch  where Self.isUniqueViolation(error) {
                throw AccountStoreError(.nameTaken, "the name `\(account.name)` is already registered")
            }
        }
    }

    package func account(named name: String) async throws -> Account? {
        try await guarded {
            try Self.accounts(
                await query(
                    "SELECT \(unescaped: Self.accountColumns) FROM accounts WHERE name_key = \(Account.key(for: name))")
            ).first
        }
    }

    package func storeToken(_ token: AccessTokenRecord) async throws {
        try await guarded {
            let accountKey = Account.key(for: token.user)
            let cutoff = token.createdAt - Self.deadTokenRetentionMillis
            try await transaction { connection in
                // Dead tokens of the account are dropped here: the table stays bounded by live
                // tokens without a sweeper, and a recently dead one is still refused precisely.
                try await connection.checkedQuery(
                    """
                    DELETE FROM access_tokens
                    WHERE account_key = \(accountKey) AND (expires_at <= \(cutoff) OR revoked_at <= \(cutoff))
                    """, logger: self.logger)
                try await connection.checkedQuery(
                    """
                    INSERT INTO access_tokens (token_hash, account_key, created_at, expires_at)
                    VALUES (\(token.tokenHash), \(accountKey), \(token.createdAt), \(token.expiresAt))
                    """, logger: self.logger)
            }
        }
    }

    package func lookUpToken(hash tokenHash: String, now: Int64) async throws -> TokenLookup {
        try await guarded {
            let rows = try await query(
                """
                SELECT a.name, a.disabled_at, t.expires_at, t.revoked_at FROM access_tokens t
                JOIN accounts a ON a.name_key = t.account_key WHERE t.token_hash = \(tokenHash)
                """)
            guard
                let (name, disabledAt, expiresAt, revokedAt) = try rows.first?.decode(
                    (String, Int64?, Int64, Int64?).self)
            else {
                return .unknown
            }
            // Read on every lookup, never cached: a disabled account is refused at once on every node.
            if disabledAt != nil { return .disabled }
            if revokedAt != nil { return .revoked }
            if expiresAt <= now { return .expired }
            return .valid(user: name)
        }
    }

    package func revokeToken(hash tokenHash: String, now: Int64) async throws -> Bool {
        try await guarded {
            let rows = try await query(
                """
                UPDATE access_tokens SET revoked_at = \(now)
                WHERE token_hash = \(tokenHash) AND revoked_at IS NULL RETURNING token_hash
                """)
            return !rows.isEmpty
        }
    }

    static let accountColumns = "name, password_hash, created_at, is_admin, disabled_at"

    static func accounts(_ rows: PostgresQueryResult) throws -> [Account] {
        try rows.map { row in
            let (name, hash, createdAt, isAdmin, disabledAt) = try row.decode(
                (String, String, Int64, Bool, Int64?).self)
            return Account(
                name: name, passwordHash: hash, createdAt: createdAt, isAdmin: isAdmin, isDisabled: disabledAt != nil)
        }
    }

    package func allAccounts() async throws -> [Account] {
        try await guarded {
            try Self.accounts(await query("SELECT \(unescaped: Self.accountColumns) FROM accounts ORDER BY name_key"))
        }
    }

    package func updatePasswordHash(_ hash: String, of name: String, now: Int64) async throws -> Bool {
        try await guarded {
            let key = Account.key(for: name)
            return try await transaction { connection in
                let rows = try await connection.checkedQuery(
                    "UPDATE accounts SET password_hash = \(hash) WHERE name_key = \(key) RETURNING name_key",
                    logger: self.logger)
                guard !rows.isEmpty else { return false }
                try await self.revokeTokens(connection, accountKey: key, now: now)
                return true
            }
        }
    }

    package func setDisabled(_ disabled: Bool, name: String, now: Int64) async throws -> Bool {
        try await guarded {
            let key = Account.key(for: name)
            let disabledAt: Int64? = disabled ? now : nil
            return try await transaction { connection in
                let rows = try await connection.checkedQuery(
                    "UPDATE accounts SET disabled_at = \(disabledAt) WHERE name_key = \(key) RETURNING name_key",
                    logger: self.logger)
                guard !rows.isEmpty else { return false }
                if disabled { try await self.revokeTokens(connection, accountKey: key, now: now) }
                return true
            }
        }
    }

    package func setAdmin(_ admin: Bool, name: String) async throws -> Bool {
        try await guarded {
            return
                !(try await query(
                    "UPDATE accounts SET is_admin = \(admin) WHERE name_key = \(Account.key(for: name)) RETURNING name_key"
                ).isEmpty)
        }
    }

    func revokeTokens(_ connection: PostgresConnection, accountKey: String, now: Int64) async throws {
        try await connection.checkedQuery(
            "UPDATE access_tokens SET revoked_at = \(now) WHERE account_key = \(accountKey) AND revoked_at IS NULL",
            logger: logger)
    }
}
