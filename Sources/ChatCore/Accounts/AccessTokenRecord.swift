/// An issued access token as the store keeps it: by hash, never in clear.
public struct AccessTokenRecord: Sendable, Equatable {
    /// Lowercase hex SHA-256 of the token the client holds.
    public var tokenHash: String
    /// The account the token signs in as.
    public var user: String
    /// Milliseconds since 1970 when the token was issued.
    public var createdAt: Int64
    /// Milliseconds since 1970 from which the token is refused.
    public var expiresAt: Int64

    public init(tokenHash: String, user: String, createdAt: Int64, expiresAt: Int64) {
        self.tokenHash = tokenHash
        self.user = user
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
