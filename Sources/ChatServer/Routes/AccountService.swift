import ChatCore
import Crypto
import Foundation
import Hummingbird
import HummingbirdBcrypt
import NIOPosix

/// Registration, login, logout and token checks, on top of an `AccountStore`.
///
/// Passwords are hashed with bcrypt on `NIOThreadPool.singleton` (tens of milliseconds each, so
/// never on an event loop). Tokens are 256 random bits given to the client once, as 43
/// base64url characters; the store keeps only their SHA-256, so a copy of the database signs in
/// no one. The same service is the hub's `Authenticator` for `hello` with a token.
struct AccountService: Authenticator {
    /// A token handed to a client.
    struct IssuedToken: Sendable {
        var user: String
        var token: String
        var expiresAt: Int64
    }

    let store: any AccountStore
    let configuration: AccountsConfiguration
    let limits: ChatLimits
    let perAddress: AccountRateLimiter
    let perName: AccountRateLimiter
    /// Where bot tokens are looked up (`AccountService+Bots`); nil when the account store keeps
    /// no bots, and then every bot token is unknown.
    let bots: (any BotStore)?

    init(store: any AccountStore, configuration: AccountsConfiguration, limits: ChatLimits) {
        self.store = store
        self.bots = store as? any BotStore
        self.configuration = configuration
        self.limits = limits
        self.perAddress = AccountRateLimiter(rate: configuration.perAddress)
        self.perName = AccountRateLimiter(rate: configuration.perName)
    }

    var allowsGuests: Bool { !configuration.requireAuth }

    /// Bcrypt accepts at most 72 bytes; longer passwords would be silently truncated.
    static let passwordBytes = 8...72
    /// A bcrypt hash no password matches, verified when the name is unknown so that a login
    /// for a missing account takes as long as one with a wrong password.
    static let decoyHash = Bcrypt.hash("rabbitchat-decoy-password", cost: 10)

    // MARK: Routes' operations

    func register(name: String, password: String, address: String?) async throws -> IssuedToken {
        try limit(address: address)
        guard ChatName.isValid(name, limits: limits) else {
            throw APIError(
                .badRequest, "invalid_name",
                "name must be 1 to \(limits.maxNameLength) characters of A-Z, a-z, 0-9, _ and -")
        }
        guard Self.passwordBytes.contains(password.utf8.count) else {
            throw APIError(
                .badRequest, "invalid_password",
                "password must be \(Self.passwordBytes.lowerBound) to \(Self.passwordBytes.upperBound) bytes of UTF-8")
        }
        if try await storeCall({ try await store.account(named: name) }) != nil {
            throw APIError(.conflict, "name_taken", "the name `\(name)` is already registered")
        }
        let cost = configuration.bcryptCost
        let hash = try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
        do {
            try await storeCall {
                try await store.createAccount(
                    Account(name: name, passwordHash: hash, createdAt: ChatClock.wallMillis()))
            }
        } catch let error as AccountStoreError where error.code == .nameTaken {
            throw APIError(.conflict, "name_taken", error.message)
        }
        return try await issueToken(for: name)
    }

    func login(name: String, password: String, address: String?) async throws -> IssuedToken {
        try limit(address: address)
        if let retryAfter = perName.take(Account.key(for: name)) {
            throw Self.tooManyAttempts(retryAfter, "too many login attempts for `\(name)`")
        }
        let account = try await storeCall { try await store.account(named: name) }
        let hash = account?.passwordHash
        // The decoy is read inside the pool too: its first use computes it (a bcrypt hash).
        let matches = try await NIOThreadPool.singleton.runIfActive {
            Bcrypt.verify(password, hash: hash ?? Self.decoyHash)
        }
        guard let account, matches else {
            throw APIError(.unauthorized, "invalid_credentials", "wrong name or password")
        }
        // Only after the password matched: a wrong guess learns nothing about the account.
        guard !account.isDisabled else {
            throw APIError(.forbidden, "account_disabled", "this account is disabled; ask the server's operator")
        }
        return try await issueToken(for: account.name)
    }

    /// Revokes `token`; a token that is already dead is refused like any other.
    func logout(token: String) async throws {
        _ = try await authenticate(token)
        _ = try await storeCall { try await store.revokeToken(hash: Self.hash(token), now: ChatClock.wallMillis()) }
    }

    /// The account a bearer token signs in as, or the precise reason it does not.
    func authenticate(_ token: String) async throws -> Account {
        let user: String
        do {
            user = try await self.user(forToken: token)
        } catch let error as AuthenticationError {
            throw APIError(
                error.code == .accountDisabled ? .forbidden : .unauthorized, error.code.rawValue, error.message)
        }
        guard let account = try await storeCall({ try await store.account(named: user) }) else {
            throw APIError(.unauthorized, "invalid_token", "the token's account no longer exists")
        }
        return account
    }

    // MARK: Authenticator

    func user(forToken token: String) async throws -> String {
        guard Self.isWellFormed(token) else {
            throw AuthenticationError(.invalidToken, "the token is malformed; log in again")
        }
        switch try await store.lookUpToken(hash: Self.hash(token), now: ChatClock.wallMillis()) {
        case .valid(let user): return user
        case .expired: throw AuthenticationError(.tokenExpired, "the token has expired; log in again")
        case .revoked: throw AuthenticationError(.tokenRevoked, "the token was revoked by logout; log in again")
        case .unknown: throw AuthenticationError(.invalidToken, "the token is not valid; log in again")
        case .disabled:
            throw AuthenticationError(.accountDisabled, "this account is disabled; ask the server's operator")
        }
    }

    func registeredName(matching name: String) async throws -> String? {
        try await store.account(named: name)?.name
    }

    // MARK: Helpers

    func limit(address: String?) throws {
        guard let address else { return }
        if let retryAfter = perAddress.take(address) {
            throw Self.tooManyAttempts(retryAfter, "too many login or registration attempts from this address")
        }
    }

    static func tooManyAttempts(_ retryAfter: Int, _ message: String) -> APIError {
        var headers = HTTPFields()
        headers[.retryAfter] = "\(retryAfter)"
        return APIError(.tooManyRequests, "rate_limited", "\(message); retry in \(retryAfter) s", headers: headers)
    }

    func issueToken(for user: String) async throws -> IssuedToken {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let token = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let now = ChatClock.wallMillis()
        let lifetime = configuration.tokenLifetime.components
        let expiresAt = now + lifetime.seconds * 1000 + lifetime.attoseconds / 1_000_000_000_000_000
        try await storeCall {
            try await store.storeToken(
                AccessTokenRecord(tokenHash: Self.hash(token), user: user, createdAt: now, expiresAt: expiresAt))
        }
        return IssuedToken(user: user, token: token, expiresAt: expiresAt)
    }

    /// 43 base64url characters: what `issueToken` hands out. Anything else is refused unread.
    static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == 43
            && token.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                    true
                default:
                    false
                }
            }
    }

    /// Lowercase hex SHA-256 of the token: what the store keeps.
    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Runs a store call, turning an unavailable store into 503 with a JSON body.
    func storeCall<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as AccountStoreError {
            throw error
        } catch let error as StoreError {
            throw APIError(.serviceUnavailable, "unavailable", "the account store is unavailable: \(error.message)")
        }
    }
}
