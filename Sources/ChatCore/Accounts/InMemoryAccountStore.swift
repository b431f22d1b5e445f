import Synchronization

/// An `AccountStore` in process memory, for tests and `--database-url memory:`.
///
/// Everything is lost when the process stops. Live tokens are bounded: when `maxTokens` is
/// reached, expired and revoked tokens are dropped first, then the oldest.
public final class InMemoryAccountStore: AccountStore {
    private struct TokenEntry {
        var record: AccessTokenRecord
        var revokedAt: Int64?
    }

    private struct State {
        var accounts: [String: Account] = [:]
        var tokens: [String: TokenEntry] = [:]
    }

    private let state = Mutex(State())
    /// The most tokens kept at once.
    public let maxTokens: Int

    public init(maxTokens: Int = 100_000) {
        self.maxTokens = maxTokens
    }

    public func createAccount(_ account: Account) async throws {
        try state.withLock { state in
            let key = Account.key(for: account.name)
            guard state.accounts[key] == nil else {
                throw AccountStoreError(.nameTaken, "the name `\(account.name)` is already registered")
            }
            state.accounts[key] = account
        }
    }

    public func account(named name: String) async throws -> Account? {
        state.withLock { $0.accounts[Account.key(for: name)] }
    }

    public func storeToken(_ token: AccessTokenRecord) async throws {
        state.withLock { state in
            if state.tokens.count >= maxTokens {
                state.tokens = state.tokens.filter {
                    $0.value.revokedAt == nil && $0.value.record.expiresAt > token.createdAt
                }
            }
            if state.tokens.count >= maxTokens,
                let oldest = state.tokens.min(by: { $0.value.record.createdAt < $1.value.record.createdAt })
            {
                state.tokens[oldest.key] = nil
            }
            state.tokens[token.tokenHash] = TokenEntry(record: token)
        }
    }

    public func lookUpToken(hash tokenHash: String, now: Int64) async throws -> TokenLookup {
        state.withLock { state in
            guard let entry = state.tokens[tokenHash] else { return .unknown }
            if state.accounts[Account.key(for: entry.record.user)]?.isDisabled == true { return .disabled }
            if entry.revokedAt != nil { return .revoked }
            if entry.record.expiresAt <= now { return .expired }
            return .valid(user: entry.record.user)
        }
    }

    public func revokeToken(hash tokenHash: String, now: Int64) async throws -> Bool {
        state.withLock { state in
            guard let entry = state.tokens[tokenHash], entry.revokedAt == nil else { return false }
            state.tokens[tokenHash]?.revokedAt = now
            return true
        }
    }

    public func allAccounts() async throws -> [Account] {
        state.withLock { $0.accounts.sorted { $0.key < $1.key }.map(\.value) }
    }

    public func updatePasswordHash(_ hash: String, of name: String, now: Int64) async throws -> Bool {
        state.withLock { state in
            let key = Account.key(for: name)
            guard state.accounts[key] != nil else { return false }
            state.accounts[key]?.passwordHash = hash
            Self.revokeTokens(of: key, in: &state, now: now)
            return true
        }
    }

    public func setDisabled(_ disabled: Bool, name: String, now: Int64) async throws -> Bool {
        state.withLock { state in
            let key = Account.key(for: name)
            guard state.accounts[key] != nil else { return false }
            state.accounts[key]?.isDisabled = disabled
            if disabled { Self.revokeTokens(of: key, in: &state, now: now) }
            return true
        }
    }

    public func setAdmin(_ admin: Bool, name: String) async throws -> Bool {
        state.withLock { state in
            let key = Account.key(for: name)
            guard state.accounts[key] != nil else { return false }
            state.accounts[key]?.isAdmin = admin
            return true
        }
    }

    private static func revokeTokens(of key: String, in state: inout State, now: Int64) {
        for (hash, entry) in state.tokens where Account.key(for: entry.record.user) == key && entry.revokedAt == nil {
            state.tokens[hash]?.revokedAt = now
        }
    }

    /// What the in-memory rooms need to know about `name`, read at once under this store's
    /// lock (the rooms call it while holding theirs).
    func roomFacts(of name: String) -> InMemoryRooms.AccountFacts {
        state.withLock { state in
            guard let account = state.accounts[Account.key(for: name)] else { return .guest }
            return InMemoryRooms.AccountFacts(
                registeredName: account.name, isAdmin: account.isAdmin && !account.isDisabled)
        }
    }
}
