/// The answer to "who does this token sign in as?", distinguishing why a token is refused so the
/// client can be told to log in again for the right reason.
public enum TokenLookup: Sendable, Equatable {
    /// The token is live and signs in as this user.
    case valid(user: String)
    /// The token existed but its lifetime is over.
    case expired
    /// The token was revoked by logout.
    case revoked
    /// The token is live but its account was disabled by an operator.
    case disabled
    /// No token has this hash: mistyped, tampered with, or never issued.
    case unknown
}
