import ChatCore
import Hummingbird

/// History over HTTP: `GET /api/rooms/:room/messages` and `GET /api/direct/:peer/messages`.
///
/// Pages are newest first: the `limit` newest messages with `seq < before` (all when `before`
/// is absent), `limit` defaulting to 50 and capped at the server's history page size, the same
/// as the `history` frame. Direct conversations need `Authorization: Bearer <token>` and are
/// open only to their two parties; rooms need a token only under `--require-auth`, except
/// `private` and `invite` rooms, whose history only their members (and admins) read: 401
/// without a token, 403 `forbidden` (or `banned`) with another's, never the messages.
struct MessagesController: Sendable {
    let store: any MessageStore
    /// Where rooms and their members are; nil (memory store) leaves every room public.
    let rooms: (any RoomStore)?
    let accounts: AccountService
    let limits: ChatLimits

    struct Message: Encodable {
        var id: String
        var seq: Int64
        var from: String
        var text: String
        var ts: Int64
        /// A room's settings or moderation change (PROTOCOL.md, "Rooms and moderation").
        var event: RoomEvent?
        /// For an `update` entry: the edit, delete or reaction and the `seq` it changed.
        var update: MessageUpdate?
        var replyTo: MessageQuote?
        var editedAt: Int64?
        var deletedBy: String?
        var reactions: [MessageReactions.Entry]?
        /// The files the message carries (`GET /api/files/:id`).
        var attachments: [MessageAttachment]?

        init(_ message: StoredMessage) {
            id = message.id
            seq = message.seq
            from = message.from
            text = message.text
            ts = message.timestamp
            event = message.event
            update = message.update
            replyTo = message.replyTo
            editedAt = message.editedAt
            deletedBy = message.deletedBy
            reactions = message.reactions.isEmpty ? nil : message.reactions.entries
            attachments = message.attachments.isEmpty ? nil : message.attachments
        }
    }

    struct Page: ResponseEncodable {
        var room: String?
        var peer: String?
        var messages: [Message]
        var hasMore: Bool
    }

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/api/rooms/:room/messages") { request, context -> Page in
            let room = try context.parameters.require("room")
            guard ChatName.isValid(room, limits: limits) else {
                throw APIError(
                    .badRequest, "invalid_room",
                    "room must be 1 to \(limits.maxNameLength) characters of A-Z, a-z, 0-9, _ and -")
            }
            var reader: Account?
            if !accounts.allowsGuests || request.headers[.authorization] != nil {
                reader = try await accounts.authenticate(AccountController.bearerToken(request))
            }
            // The stored spelling is the room's: `Lobby` and `lobby` read one history.
            let name = try await authorizeRead(room, reader: reader)?.name ?? room
            return try await page(.room(name), request: request, room: name, peer: nil)
        }
        router.get("/api/direct/:peer/messages") { request, context -> Page in
            let peer = try context.parameters.require("peer")
            let user = try await accounts.authenticate(AccountController.bearerToken(request)).name
            guard ChatName.isValid(peer, limits: limits) else {
                throw APIError(
                    .badRequest, "invalid_name",
                    "user name must be 1 to \(limits.maxNameLength) characters of A-Z, a-z, 0-9, _ and -")
            }
            // The conversation is derived from the token's user, so only its parties can read it.
            return try await page(.direct(between: user, and: peer), request: request, room: nil, peer: peer)
        }
    }

    /// The stored room when `reader` (nil: no token) may read it; throws the HTTP refusal.
    func authorizeRead(_ room: String, reader: Account?) async throws -> Room? {
        guard let rooms else { return nil }
        do {
            return try await rooms.authorizeRead(user: reader?.name, room: room, now: ChatClock.wallMillis())
        } catch let error as RoomStoreError {
            if reader == nil {
                throw APIError(
                    .unauthorized, "missing_token",
                    "`\(room)` is open to its members only: send `Authorization: Bearer <token>` (from /api/login)")
            }
            throw APIError(.forbidden, error.code.rawValue, error.message)
        } catch {
            throw APIError(.serviceUnavailable, "unavailable", "the room store is unavailable; try again")
        }
    }

    func page(_ conversation: Conversation, request: Request, room: String?, peer: String?) async throws -> Page {
        let query = request.uri.queryParameters
        var before: Int64?
        if let text = query["before"] {
            guard let value = Int64(String(text)), value >= 1 else {
                throw APIError(.badRequest, "invalid_field", "`before` must be an integer of 1 or more")
            }
            before = value
        }
        var limit = 50
        if let text = query["limit"] {
            guard let value = Int(String(text)), value >= 1 else {
                throw APIError(.badRequest, "invalid_field", "`limit` must be an integer of 1 or more")
            }
            limit = value
        }
        limit = min(limit, limits.maxHistoryPage)
        let stored: [StoredMessage]
        do {
            stored = try await store.messages(in: conversation, before: before, limit: limit + 1)
        } catch {
            throw APIError(.serviceUnavailable, "unavailable", "the message store is unavailable; try again")
        }
        return Page(
            room: room, peer: peer,
            messages: stored.prefix(limit).map(Message.init),
            hasMore: stored.count > limit)
    }
}
