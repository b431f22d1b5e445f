import ChatCore
import Hummingbird

extension AccountService {
    /// A `hello` token: a bot's (with its scope) or a user's.
    func identity(forToken token: String) async throws -> TokenIdentity {
        // A malformed bot token is refused as invalid below; only a user's token is told to use one.
        guard token.hasPrefix(BotCredential.tokenPrefix) else {
            return TokenIdentity(user: try await user(forToken: token))
        }
        let bot = try await bot(signingInWith: token)
        return TokenIdentity(user: bot.name, botScope: bot.scope)
    }

    /// The live bot a bot token posts as.
    ///
    /// - Throws: `AuthenticationError` (`invalid_token`, `token_revoked`) when it is refused; any
    ///   other error means the store is unavailable.
    func bot(signingInWith token: String) async throws -> Bot {
        guard BotCredential.isBotToken(token), let bots else {
            throw AuthenticationError(.invalidToken, "the bot token is not valid")
        }
        switch try await bots.lookUpBotToken(hash: BotCredential.hash(token)) {
        case .valid(let bot): return bot
        case .revoked:
            throw AuthenticationError(.tokenRevoked, "the bot was revoked; ask the server's admin for a new one")
        case .unknown: throw AuthenticationError(.invalidToken, "the bot token is not valid")
        }
    }

    /// The bot a request's `Authorization: Bearer <bot token>` posts as, or the HTTP refusal:
    /// 401 without a token or with a refused one, 403 `bot_token_required` for a user's token.
    func authenticateBot(_ request: Request) async throws -> Bot {
        let token = try AccountController.bearerToken(request)
        // A malformed bot token is refused as invalid below; only a user's token is told to use one.
        guard token.hasPrefix(BotCredential.tokenPrefix) else {
            throw APIError(
                .forbidden, "bot_token_required",
                "posting over HTTP takes a bot token (`rabbitchat bot create`); users send over /ws")
        }
        do {
            return try await storeCall { try await bot(signingInWith: token) }
        } catch let error as AuthenticationError {
            throw APIError(.unauthorized, error.code.rawValue, error.message)
        }
    }

    /// The account behind a server admin's bearer token, or the HTTP refusal: 401 without a
    /// live token, 403 `forbidden` for an account that is not an admin.
    func authenticateAdmin(_ request: Request) async throws -> Account {
        let account = try await authenticate(AccountController.bearerToken(request))
        guard account.isAdmin else {
            throw APIError(.forbidden, "forbidden", "only a server admin may manage bots and hooks")
        }
        return account
    }
}
