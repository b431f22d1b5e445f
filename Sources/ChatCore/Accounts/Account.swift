/// A registered user.
public struct Account: Sendable, Equatable {
    /// The name as registered (case preserved); also the chat user name.
    public var name: String
    /// The bcrypt hash of the password (never the password).
    public var passwordHash: String
    /// Milliseconds since 1970-01-01 UTC when the account was registered.
    public var createdAt: Int64

    public init(name: String, passwordHash: String, createdAt: Int64) {
        self.name = name
        self.passwordHash = passwordHash
        self.createdAt = createdAt
    }

    /// The case-insensitive form names are unique under.
    public static func key(for name: String) -> String { name.lowercased() }
}
