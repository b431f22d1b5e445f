/// Why a token was refused, stable for programs and explained for people.
public struct AuthenticationError: Error, Sendable, Equatable {
    /// The reason, stable for programs.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The token is not one this server issued (mistyped or tampered with).
        public static let invalidToken = Code(rawValue: "invalid_token")
        /// The token's lifetime is over.
        public static let tokenExpired = Code(rawValue: "token_expired")
        /// The token was revoked by logout.
        public static let tokenRevoked = Code(rawValue: "token_revoked")
        /// The account was disabled by an operator (`rabbitchat user disable`).
        public static let accountDisabled = Code(rawValue: "account_disabled")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
