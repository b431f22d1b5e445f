public import ChatCore
import Foundation
import HummingbirdBcrypt
import NIOPosix

/// What `rabbitchat user …` does to accounts, with the same rules as registration over HTTP
/// (name syntax, password length, bcrypt cost), so an account made at the command line is one
/// the server accepts. This is how the first server admin is made: no HTTP route grants `admin`.
public struct UserAdministration: Sendable {
    /// A refusal to show the operator (the command exits non-zero with it).
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    let accounts: any AccountStore
    let limits: ChatLimits
    let bcryptCost: UInt8

    /// - Parameters:
    ///   - accounts: the store `serve` uses.
    ///   - limits: the name rules (defaults as `serve`'s).
    ///   - bcryptCost: as `AccountsConfiguration.bcryptCost`.
    public init(
        accounts: any AccountStore, limits: ChatLimits = ChatLimits(),
        bcryptCost: UInt8 = AccountsConfiguration().bcryptCost
    ) {
        self.accounts = accounts
        self.limits = limits
        self.bcryptCost = bcryptCost
    }

    /// Registers `name` with `password`, as an admin when `admin` is set.
    public func create(name: String, password: String, admin: Bool) async throws -> Account {
        guard ChatName.isValid(name, limits: limits) else {
            throw Failure("name must be 1 to \(limits.maxNameLength) characters of A-Z, a-z, 0-9, _ and -")
        }
        let account = Account(
            name: name, passwordHash: try await hash(password), createdAt: ChatClock.wallMillis(), isAdmin: admin)
        do {
            try await accounts.createAccount(account)
        } catch let error as AccountStoreError {
            throw Failure(error.message)
        }
        if admin { _ = try await accounts.setAdmin(true, name: name) }
        return try await accounts.account(named: name) ?? account
    }

    /// Every account, by name.
    public func list() async throws -> [Account] { try await accounts.allAccounts() }

    /// Sets a new password and signs the account out everywhere (its tokens are revoked).
    public func resetPassword(name: String, password: String) async throws {
        let hash = try await hash(password)
        guard try await accounts.updatePasswordHash(hash, of: name, now: ChatClock.wallMillis()) else {
            throw Failure("no account `\(name)`")
        }
    }

    /// Disables (or enables) the account; its tokens are refused from the next request on.
    public func setDisabled(_ disabled: Bool, name: String) async throws {
        guard try await accounts.setDisabled(disabled, name: name, now: ChatClock.wallMillis()) else {
            throw Failure("no account `\(name)`")
        }
    }

    /// Grants (or revokes) the server-wide admin flag.
    public func setAdmin(_ admin: Bool, name: String) async throws {
        guard try await accounts.setAdmin(admin, name: name) else { throw Failure("no account `\(name)`") }
    }

    /// A random password for an operator who gave none: 20 characters of base64url (120 bits).
    public static func generatedPassword() -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        return String((0..<20).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    func hash(_ password: String) async throws -> String {
        guard AccountService.passwordBytes.contains(password.utf8.count) else {
            throw Failure(
                "password must be \(AccountService.passwordBytes.lowerBound) to \(AccountService.passwordBytes.upperBound) bytes of UTF-8"
            )
        }
        let cost = bcryptCost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }
}
