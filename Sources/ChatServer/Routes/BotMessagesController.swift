import ChatCore
import Foundation
import Hummingbird
import NIOCore

/// `POST /api/rooms/:room/messages`: a bot posts to a room with its token.
///
/// The body is JSON, `{"text": "…", "cid": "…", "replyTo": 12}` (`replyTo` optional), at most
/// `BotsConfiguration.maxBodyBytes`. The post takes the path of a `send` (`Hub.postAsBot`):
/// validated with the same limits, stored, confirmed by the broker and delivered live before the
/// answer, `201 {"id", "seq", "ts", "room", "from", "duplicate"}`. A retry with the same `cid`
/// answers the same `seq` with `duplicate: true` and stores nothing. Refusals are JSON:
/// `401` (no, unknown or revoked token), `403` (a user's token, a room outside the scope, a ban,
/// a mute), `413 body_too_large`, `429 rate_limited` with `Retry-After`, and the codes of
/// `BotPostRefusal`.
struct BotMessagesController: Sendable {
    let hub: Hub
    let accounts: AccountService
    let configuration: BotsConfiguration
    /// One bucket per bot (`BotsConfiguration.postsPerBot`).
    let perBot: AccountRateLimiter

    init(hub: Hub, accounts: AccountService, configuration: BotsConfiguration) {
        self.hub = hub
        self.accounts = accounts
        self.configuration = configuration
        self.perBot = AccountRateLimiter(rate: configuration.postsPerBot)
    }

    struct Post: Decodable {
        var text: String?
        var cid: String?
        var replyTo: Int64?
    }

    struct Posted: ResponseEncodable {
        var id: String
        var seq: Int64
        var ts: Int64
        var room: String
        var from: String
        var duplicate: Bool
    }

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.post("/api/rooms/:room/messages") { request, context -> EditedResponse<Posted> in
            let room = try context.parameters.require("room")
            let bot = try await accounts.authenticateBot(request)
            if let retryAfter = perBot.take(Account.key(for: bot.name)) {
                throw AccountService.tooManyAttempts(retryAfter, "too many posts by `\(bot.name)`")
            }
            let body = try await Self.collect(request, upTo: configuration.maxBodyBytes)
            let fields: Post
            do {
                fields = try JSONDecoder().decode(Post.self, from: Data(body.readableBytesView))
            } catch {
                throw APIError(.badRequest, "bad_json", "the body must be a JSON object {\"text\": …, \"cid\": …}")
            }
            guard let text = fields.text else { throw APIError(.badRequest, "invalid_field", "missing field `text`") }
            guard let cid = fields.cid else {
                throw APIError(
                    .badRequest, "invalid_field", "missing field `cid`: it makes a retry safe (same cid, same seq)")
            }
            let post: BotPost
            do {
                post = try await hub.postAsBot(
                    text, to: room, bot: bot.name, scope: bot.scope, cid: cid, replyTo: fields.replyTo)
            } catch let error as ProtocolError {
                throw BotPostRefusal.apiError(error)
            }
            let message = post.message
            return EditedResponse(
                status: .created,
                response: Posted(
                    id: message.id, seq: message.seq, ts: message.timestamp, room: post.room, from: message.from,
                    duplicate: post.duplicate))
        }
    }

    /// The body, at most `limit` bytes; a larger one is refused with `413 body_too_large`.
    static func collect(_ request: Request, upTo limit: Int) async throws -> ByteBuffer {
        var request = request
        do {
            return try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, "body_too_large", "the request body is larger than \(limit) bytes")
        }
    }
}
