import Foundation

/// The secrets bots and hooks are given: made here, shown once, stored as SHA-256 only.
///
/// A bot token is `rcbot_` and 256 random bits as 43 base64url characters. The prefix keeps it
/// apart from account tokens: the account routes refuse it unread (`AccountService.isWellFormed`),
/// so a bot token opens only what bots may do, and it is easy to spot in a leaked log or
/// repository. A hook secret is 256 random bits too, in the hook's URL.
enum BotCredential {
    static let tokenPrefix = "rcbot_"

    /// A new bot token.
    static func newToken() -> String { tokenPrefix + randomBase64URL() }

    /// A new hook secret (the last part of `/hooks/<secret>`).
    static func newHookSecret() -> String { randomBase64URL() }

    /// A new public hook id: 48 random bits as 12 lowercase hex characters.
    static func newHookID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<6).map { _ in
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined()
    }

    /// Whether `token` has the shape of a bot token (it may still be unknown or revoked).
    static func isBotToken(_ token: String) -> Bool {
        token.hasPrefix(tokenPrefix) && AccountService.isWellFormed(String(token.dropFirst(tokenPrefix.count)))
    }

    /// Whether `secret` has the shape of a hook secret.
    static func isHookSecret(_ secret: String) -> Bool { AccountService.isWellFormed(secret) }

    /// Lowercase hex SHA-256: what the store keeps of a token or a secret.
    static func hash(_ secret: String) -> String { AccountService.hash(secret) }

    /// 256 random bits as 43 base64url characters, the shape of an account token.
    static func randomBase64URL() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
