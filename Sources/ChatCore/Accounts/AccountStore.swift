/// Where registered accounts and their access tokens are kept.
///
/// It lives beside the messages (the SQLite file or the PostgreSQL database, through the same
/// migrations) so one backup holds everything a user owns. The store never sees a password or a
/// token in clear: it keeps the bcrypt hash of the password and the SHA-256 of each token, so a
/// leaked database yields neither.
public protocol AccountStore: Sendable {
    /// Registers a new account.
    ///
    /// - Throws: `AccountStoreError` with `.nameTaken` when an account with that name exists
    ///   (names compare case-insensitively, so `Alice` cannot shadow `alice`).
    func createAccount(_ account: Account) async throws

    /// The account registered under `name` (compared case-insensitively), or nil.
    func account(named name: String) async throws -> Account?

    /// Stores a newly issued access token.
    func storeToken(_ token: AccessTokenRecord) async throws

    /// What the token with hash `tokenHash` is worth at `now` (milliseconds since 1970).
    func lookUpToken(hash tokenHash: String, now: Int64) async throws -> TokenLookup

    /// Revokes a token; returns false when no live token had that hash.
    func revokeToken(hash tokenHash: String, now: Int64) async throws -> Bool

    /// Every account, by name (case-insensitively): for the operator's `rabbitchat user list`.
    func allAccounts() async throws -> [Account]

    /// Replaces the password hash and revokes every token of the account, so a reset signs out
    /// every device. Returns false when no account has that name.
    func updatePasswordHash(_ hash: String, of name: String, now: Int64) async throws -> Bool

    /// Disables (or enables again) the account. Disabling also revokes its tokens; either way
    /// `lookUpToken` checks the flag on every call, so it takes effect at once on every node
    /// sharing the store. Returns false when no account has that name.
    func setDisabled(_ disabled: Bool, name: String, now: Int64) async throws -> Bool

    /// Grants (or takes away) the server-wide admin flag. Returns false when no account has that name.
    func setAdmin(_ admin: Bool, name: String) async throws -> Bool
}
