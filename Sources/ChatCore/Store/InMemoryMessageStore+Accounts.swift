/// The in-memory store's accounts: its `InMemoryAccountStore`, so the rooms beside it and the
/// sign-in see the same accounts (as one SQLite file or PostgreSQL database holds both).
extension InMemoryMessageStore: AccountStore {
    public func createAccount(_ account: Account) async throws { try await accounts.createAccount(account) }

    public func account(named name: String) async throws -> Account? { try await accounts.account(named: name) }

    public func storeToken(_ token: AccessTokenRecord) async throws { try await accounts.storeToken(token) }

    public func lookUpToken(hash tokenHash: String, now: Int64) async throws -> TokenLookup {
        try await accounts.lookUpToken(hash: tokenHash, now: now)
    }

    public func revokeToken(hash tokenHash: String, now: Int64) async throws -> Bool {
        try await accounts.revokeToken(hash: tokenHash, now: now)
    }

    public func allAccounts() async throws -> [Account] { try await accounts.allAccounts() }

    public func updatePasswordHash(_ hash: String, of name: String, now: Int64) async throws -> Bool {
        try await accounts.updatePasswordHash(hash, of: name, now: now)
    }

    public func setDisabled(_ disabled: Bool, name: String, now: Int64) async throws -> Bool {
        try await accounts.setDisabled(disabled, name: name, now: now)
    }

    public func setAdmin(_ admin: Bool, name: String) async throws -> Bool {
        try await accounts.setAdmin(admin, name: name)
    }
}
