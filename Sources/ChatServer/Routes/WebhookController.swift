import ChatCore
import Foundation
import Hummingbird
import NIOCore

/// `POST /hooks/<secret>`: an incoming webhook posts to its room as its bot.
///
/// The body is Slack's incoming-webhook shape: JSON `{"text": "…"}`, or, as Slack also accepts,
/// `application/x-www-form-urlencoded` with `payload=<that JSON>`. Other Slack fields
/// (`username`, `icon_emoji`, `blocks`, …) are ignored: the message is the bot's, with `text`
/// as its text. The post takes the path of a `send` (`Hub.postAsBot`) with a fresh `cid`, and
/// answers `200 {"ok": true, "room", "seq", "id"}` once it is stored and confirmed.
///
/// An unknown or revoked secret is `404 no_such_hook` (nothing says which), and each refused
/// secret takes from the client address's bucket, so guessing is slowed to a crawl. Posts
/// take from the hook's bucket (`429 rate_limited`, `Retry-After`); a larger body than
/// `BotsConfiguration.maxBodyBytes` is `413 body_too_large`; no text is `400 missing_text`.
struct WebhookController: Sendable {
    let hub: Hub
    let bots: (any BotStore)?
    let configuration: BotsConfiguration
    let perHook: AccountRateLimiter
    let refusedPerAddress: AccountRateLimiter

    init(hub: Hub, bots: (any BotStore)?, configuration: BotsConfiguration) {
        self.hub = hub
        self.bots = bots
        self.configuration = configuration
        self.perHook = AccountRateLimiter(rate: configuration.postsPerHook)
        self.refusedPerAddress = AccountRateLimiter(rate: configuration.refusedHooksPerAddress)
    }

    struct Payload: Decodable {
        var text: String?
    }

    struct Posted: ResponseEncodable {
        var ok: Bool
        var room: String
        var seq: Int64
        var id: String
    }

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.post("/hooks/:secret") { request, context -> Posted in
            let secret = try context.parameters.require("secret")
            let address = AccountController.address(context)
            let (hook, bot) = try await lookUp(secret, address: address)
            if let retryAfter = perHook.take(hook.id) {
                throw AccountService.tooManyAttempts(retryAfter, "too many posts through hook `\(hook.id)`")
            }
            let body = try await BotMessagesController.collect(request, upTo: configuration.maxBodyBytes)
            let text = try Self.text(of: body, contentType: request.headers[.contentType])
            // A webhook has no idempotency key (Slack's has none): each request is a new message.
            let cid = "hook-" + BotCredential.newHookID() + BotCredential.newHookID()
            let post: BotPost
            do {
                post = try await hub.postAsBot(text, to: hook.room, bot: bot.name, scope: bot.scope, cid: cid)
            } catch let error as ProtocolError {
                throw BotPostRefusal.apiError(error)
            }
            return Posted(ok: true, room: post.room, seq: post.message.seq, id: post.message.id)
        }
    }

    /// The live hook and bot behind `secret`, or `404 no_such_hook` (`429` for an address that
    /// keeps sending refused secrets).
    func lookUp(_ secret: String, address: String?) async throws -> (Webhook, Bot) {
        let refused = APIError(.notFound, "no_such_hook", "no live hook has this URL; it may have been revoked")
        if let address, let retryAfter = refusedPerAddress.peek(address) {
            throw AccountService.tooManyAttempts(
                retryAfter, "too many requests with unknown hook URLs from this address")
        }
        guard BotCredential.isHookSecret(secret), let bots else {
            if let address { _ = refusedPerAddress.take(address) }
            throw refused
        }
        let lookup: WebhookLookup
        do {
            lookup = try await bots.lookUpWebhook(secretHash: BotCredential.hash(secret))
        } catch {
            throw APIError(.serviceUnavailable, "unavailable", "the hook store is unavailable; try again")
        }
        guard case .valid(let hook, let bot) = lookup else {
            if let address { _ = refusedPerAddress.take(address) }
            throw refused
        }
        return (hook, bot)
    }

    /// The message text of a Slack-style body: JSON, or a form whose `payload` field is JSON.
    static func text(of body: ByteBuffer, contentType: String?) throws -> String {
        var json = Data(body.readableBytesView)
        let mediaType = contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        if mediaType == "application/x-www-form-urlencoded" {
            guard let payload = formField("payload", in: String(decoding: json, as: UTF8.self)) else {
                throw APIError(.badRequest, "invalid_field", "a form body needs a `payload` field holding the JSON")
            }
            json = Data(payload.utf8)
        }
        let payload: Payload
        do {
            payload = try JSONDecoder().decode(Payload.self, from: json)
        } catch {
            throw APIError(.badRequest, "bad_json", "the body must be a JSON object {\"text\": …}")
        }
        guard let text = payload.text, !text.isEmpty else {
            throw APIError(.badRequest, "missing_text", "the payload has no `text`")
        }
        return text
    }

    /// The decoded value of `name` in an `application/x-www-form-urlencoded` body (`+` is a space).
    static func formField(_ name: String, in form: String) -> String? {
        for pair in form.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == name else { continue }
            return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return nil
    }
}
