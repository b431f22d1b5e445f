/// A registered user.
public struct Account: Sendable, Equatable {
    /// The name as registered (case preserved); also the chat user name.
    public var name: String
    /// The bcrypt hash of the password (never the password).
    public var passwordHash: String
    /// Milliseconds since 1970-01-01 UTC when the account was registered.
    public var createdAt: Int64
    /// A server-wide admin: above every room role in every room. Made with
    /// `rabbitchat user grant-admin` (the first admin can only be made there).
    public var isAdmin: Bool
    /// A disabled account cannot log in, and its tokens are refused at once (`TokenLookup.disabled`).
    public var isDisabled: Bool

    public init(name: String, passwordHash: String, createdAt: Int64, isAdmin: Bool = false, isDisabled: Bool = false) {
        self.name = name
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.isAdmin = isAdmin
        self.isDisabled = isDisabled
    }

    /// The case-insensitive form names are unique under.
    public static func key(for name: String) -> String { name.lowercased() }
}
