package import ChatCore
import GRDB

extension SQLiteMessageStore {
    /// How long an expired or revoked token is kept so it is refused as such, not as unknown.
    static let deadTokenRetentionMillis: Int64 = 86_400_000

    package func createAccount(_ account: Account) async throws {
        try await guarded {
            try await pool.write { db in
                let exists =
                    try Bool.fetchOne(
                        db, sql: "SELECT EXISTS (SELECT 1 FROM accounts WHERE name_key = ?)",
                        arguments: [Account.key(for: account.name)]) ?? false
                guard !exists else {
                    throw AccountStoreError(.nameTaken, "the name `\(account.name)` is already registered")
                }
                try db.execute(
                    sql: "INSERT INTO accounts (name_key, name, password_hash, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [Account.key(for: account.name), account.name, account.passwordHash, account.createdAt])
            }
        }
    }

    package func account(named name: String) async throws -> Account? {
        try await guarded {
            try await pool.read { db in
                try Row.fetchOne(
                    db, sql: "SELECT \(Self.accountColumns) FROM accounts WHERE name_key = ?",
                    arguments: [Account.key(for: name)]
                ).map(Self.account)
            }
        }
    }

    package func storeToken(_ token: AccessTokenRecord) async throws {
        try await guarded {
            try await pool.write { db in
                // Tokens of the account that expired or were revoked a day ago are of no use to
                // anyone: drop them here, so the table stays bounded by live tokens without a
                // sweeper, while a recently dead token is still refused with its precise reason.
                let cutoff = token.createdAt - SQLiteMessageStore.deadTokenRetentionMillis
                try db.execute(
                    sql: """
                        DELETE FROM access_tokens
                        WHERE account_key = ? AND (expires_at <= ? OR revoked_at <= ?)
                        """,
                    arguments: [Account.key(for: token.user), cutoff, cutoff])
                try db.execute(
                    sql: """
                        INSERT INTO access_tokens (token_hash, account_key, created_at, expires_at)
                        VALUES (?, ?, ?, ?)
                        """,
                    arguments: [token.tokenHash, Account.key(for: token.user), token.createdAt, token.expiresAt])
            }
        }
    }

    package func lookUpToken(hash tokenHash: String, now: Int64) async throws -> TokenLookup {
        try await guarded {
            try await pool.read { db in
                guard
                    let row = try Row.fetchOne(
                        db,
                        sql: """
                            SELECT a.name, a.disabled_at, t.expires_at, t.revoked_at FROM access_tokens t
                            JOIN accounts a ON a.name_key = t.account_key WHERE t.token_hash = ?
                            """,
                        arguments: [tokenHash])
                else { return .unknown }
                // Read on every lookup, never cached: a disabled account is refused at once.
                let disabledAt: Int64? = row["disabled_at"]
                if disabledAt != nil { return .disabled }
                let revokedAt: Int64? = row["revoked_at"]
                if revokedAt != nil { return .revoked }
                let expiresAt: Int64 = row["expires_at"]
                if expiresAt <= now { return .expired }
                return .valid(user: row["name"])
            }
        }
    }

    package func revokeToken(hash tokenHash: String, now: Int64) async throws -> Bool {
        try await guarded {
            try await pool.write { db in
                try db.execute(
                    sql: "UPDATE access_tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
                    arguments: [now, tokenHash])
                return db.changesCount > 0
            }
        }
    }

    static let accountColumns = "name, password_hash, created_at, is_admin, disabled_at"

    static func account(_ row: Row) -> Account {
        let disabledAt: Int64? = row["disabled_at"]
        return Account(
            name: row["name"], passwordHash: row["password_hash"], createdAt: row["created_at"],
            isAdmin: row["is_admin"], isDisabled: disabledAt != nil)
    }

    package func allAccounts() async throws -> [Account] {
        try await guarded {
            try await pool.read { db in
                try Row.fetchAll(db, sql: "SELECT \(Self.accountColumns) FROM accounts ORDER BY name_key").map(
                    Self.account)
            }
        }
    }

    package func updatePasswordHash(_ hash: String, of name: String, now: Int64) async throws -> Bool {
        try await guarded {
            try await pool.write { db in
                let key = Account.key(for: name)
                try db.execute(sql: "UPDATE accounts SET password_hash = ? WHERE name_key = ?", arguments: [hash, key])
                guard db.changesCount > 0 else { return false }
                try Self.revokeTokens(db, accountKey: key, now: now)
                return true
            }
        }
    }

    package func setDisabled(_ disabled: Bool, name: String, now: Int64) async throws -> Bool {
        try await guarded {
            try await pool.write { db in
                let key = Account.key(for: name)
                try db.execute(
                    sql: "UPDATE accounts SET disabled_at = ? WHERE name_key = ?",
                    arguments: [disabled ? now : nil, key])
                guard db.changesCount > 0 else { return false }
                if disabled { try Self.revokeTokens(db, accountKey: key, now: now) }
                return true
            }
        }
    }

    package func setAdmin(_ admin: Bool, name: String) async throws -> Bool {
        try await guarded {
            try await pool.write { db in
                try db.execute(
                    sql: "UPDATE accounts SET is_admin = ? WHERE name_key = ?",
                    arguments: [admin, Account.key(for: name)])
                return db.changesCount > 0
            }
        }
    }

    static func revokeTokens(_ db: Database, accountKey: String, now: Int64) throws {
        try db.execute(
            sql: "UPDATE access_tokens SET revoked_at = ? WHERE account_key = ? AND revoked_at IS NULL",
            arguments: [now, accountKey])
    }
}
