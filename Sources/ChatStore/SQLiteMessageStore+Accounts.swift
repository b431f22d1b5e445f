public import ChatCore
import GRDB

extension SQLiteMessageStore {
    /// How long an expired or revoked token is kept so it is refused as such, not as unknown.
    static let deadTokenRetentionMillis: Int64 = 86_400_000

    public func createAccount(_ account: Account) async throws {
        try await guarded {
            try await pool.write { db in
                let exists = try Bool.fetchOne(
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

    public func account(named name: String) async throws -> Account? {
        try await guarded {
            try await pool.read { db in
                try Row.fetchOne(
                    db, sql: "SELECT name, password_hash, created_at FROM accounts WHERE name_key = ?",
                    arguments: [Account.key(for: name)]
                ).map { Account(name: $0["name"], passwordHash: $0["password_hash"], createdAt: $0["created_at"]) }
            }
        }
    }

    public func storeToken(_ token: AccessTokenRecord) async throws {
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

    public func lookUpToken(hash tokenHash: String, now: Int64) async throws -> TokenLookup {
        try await guarded {
            try await pool.read { db in
                guard
                    let row = try Row.fetchOne(
                        db,
                        sql: """
                            SELECT a.name, t.expires_at, t.revoked_at FROM access_tokens t
                            JOIN accounts a ON a.name_key = t.account_key WHERE t.token_hash = ?
                            """,
                        arguments: [tokenHash])
                else { return .unknown }
                let revokedAt: Int64? = row["revoked_at"]
                if revokedAt != nil { return .revoked }
                let expiresAt: Int64 = row["expires_at"]
                if expiresAt <= now { return .expired }
                return .valid(user: row["name"])
            }
        }
    }

    public func revokeToken(hash tokenHash: String, now: Int64) async throws -> Bool {
        try await guarded {
            try await pool.write { db in
                try db.execute(
                    sql: "UPDATE access_tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
                    arguments: [now, tokenHash])
                return db.changesCount > 0
            }
        }
    }
}
