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
}
