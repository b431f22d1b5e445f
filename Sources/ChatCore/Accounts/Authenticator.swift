/// What the `Hub` asks about accounts when a session says `hello`.
///
/// The hub knows nothing of passwords, hashing or HTTP; the server gives it an authenticator
/// backed by the account store, so `hello` can accept a token, keep guests off registered names
/// and, with `--require-auth`, refuse guests altogether.
public protocol Authenticator: Sendable {
    /// Whether sessions may say `hello` with a guest `nick` instead of a token.
    var allowsGuests: Bool { get }

    /// Resolves an access token to the user it signs in as.
    ///
    /// - Throws: `AuthenticationError` saying why the token is refused (expired, revoked,
    ///   unknown); any other error means the account store is unavailable.
    func user(forToken token: String) async throws -> String

    /// Resolves a `hello` token to a user or to a bot and its scope.
    ///
    /// - Throws: like `user(forToken:)`.
    func identity(forToken token: String) async throws -> TokenIdentity

    /// The registered account name that `name` matches case-insensitively, spelled as it was
    /// registered; nil when no account matches.
    ///
    /// Guests are kept off every spelling of a registered name (no `Alice` beside `alice`),
    /// while offline delivery needs the exact spelling the user signs in with.
    func registeredName(matching name: String) async throws -> String?
}

extension Authenticator {
    /// An authenticator without bots: every token is a user's.
    public func identity(forToken token: String) async throws -> TokenIdentity {
        TokenIdentity(user: try await user(forToken: token))
    }
}
