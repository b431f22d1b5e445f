import ChatCore
import Foundation
import Hummingbird

/// The admin API for bots and incoming webhooks; every route needs a server admin's token
/// (`Authorization: Bearer <token>` of an account with `admin`, made by `rabbitchat user
/// grant-admin`): `401` without one, `403 forbidden` for anyone else.
///
/// - `GET /api/admin/bots`: every bot, revoked ones included.
/// - `POST /api/admin/bots` `{"name", "rooms": [...], "read": false}`: `201` with the bot and its
///   `token`, shown this once.
/// - `DELETE /api/admin/bots/:name`: revokes the bot, its token and its hooks (`204`).
/// - `GET /api/admin/hooks[?bot=name]`: the hooks, revoked ones included; never their secrets.
/// - `POST /api/admin/bots/:name/hooks` `{"room"}`: `201` with the hook, its `secret` and its
///   `path` (`/hooks/<secret>`), shown this once.
/// - `DELETE /api/admin/hooks/:id`: revokes the hook (`204`).
///
/// The rules are `BotAdministration`'s, as at the command line; its refusals are `400`
/// (`invalid_name`, `invalid_room`, `too_many_rooms`, `room_out_of_scope`, `too_many_hooks`),
/// `404` (`no_such_bot`, `no_such_hook`) or `409 name_taken`.
struct AdminBotsController: Sendable {
    let accounts: AccountService
    let administration: BotAdministration?

    struct NewBot: Decodable {
        var name: String?
        var rooms: [String]?
        var read: Bool?
    }

    struct NewHook: Decodable {
        var room: String?
    }

    struct BotEntry: ResponseEncodable {
        var name: String
        var rooms: [String]
        var read: Bool
        var createdBy: String
        var createdAt: Int64
        var revokedAt: Int64?
        /// Only in the answer that created the bot.
        var token: String?

        init(_ bot: Bot, token: String? = nil) {
            name = bot.name
            rooms = bot.scope.rooms
            read = bot.scope.mayRead
            createdBy = bot.createdBy
            createdAt = bot.createdAt
            revokedAt = bot.revokedAt
            self.token = token
        }
    }

    struct HookEntry: ResponseEncodable {
        var id: String
        var bot: String
        var room: String
        var createdBy: String
        var createdAt: Int64
        var revokedAt: Int64?
        /// Only in the answer that created the hook.
        var secret: String?
        var path: String?

        init(_ hook: Webhook, secret: String? = nil) {
            id = hook.id
            bot = hook.bot
            room = hook.room
            createdBy = hook.createdBy
            createdAt = hook.createdAt
            revokedAt = hook.revokedAt
            self.secret = secret
            path = secret.map { "/hooks/\($0)" }
        }
    }

    struct BotList: ResponseEncodable { var bots: [BotEntry] }
    struct HookList: ResponseEncodable { var hooks: [HookEntry] }

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/api/admin/bots") { request, _ -> BotList in
            let administration = try await authorize(request).administration
            return BotList(bots: try await call { try await administration.list() }.map { BotEntry($0) })
        }
        router.post("/api/admin/bots") { request, _ -> EditedResponse<BotEntry> in
            let (admin, administration) = try await authorize(request)
            let body = try await Self.decode(
                NewBot.self, request, shape: "{\"name\": …, \"rooms\": […], \"read\": false}")
            guard let name = body.name else { throw APIError(.badRequest, "invalid_field", "missing field `name`") }
            guard let rooms = body.rooms else { throw APIError(.badRequest, "invalid_field", "missing field `rooms`") }
            let created = try await call {
                try await administration.create(name: name, rooms: rooms, mayRead: body.read ?? false, by: admin.name)
            }
            return EditedResponse(status: .created, response: BotEntry(created.bot, token: created.token))
        }
        router.delete("/api/admin/bots/:name") { request, context -> Response in
            let administration = try await authorize(request).administration
            let name = try context.parameters.require("name")
            try await call { try await administration.revoke(name: name) }
            return Response(status: .noContent)
        }
        router.get("/api/admin/hooks") { request, _ -> HookList in
            let administration = try await authorize(request).administration
            let bot = request.uri.queryParameters["bot"].map(String.init)
            return HookList(hooks: try await call { try await administration.hooks(of: bot) }.map { HookEntry($0) })
        }
        router.post("/api/admin/bots/:name/hooks") { request, context -> EditedResponse<HookEntry> in
            let (admin, administration) = try await authorize(request)
            let name = try context.parameters.require("name")
            let body = try await Self.decode(NewHook.self, request, shape: "{\"room\": …}")
            guard let room = body.room else { throw APIError(.badRequest, "invalid_field", "missing field `room`") }
            let created = try await call { try await administration.createHook(bot: name, room: room, by: admin.name) }
            return EditedResponse(status: .created, response: HookEntry(created.hook, secret: created.secret))
        }
        router.delete("/api/admin/hooks/:id") { request, context -> Response in
            let administration = try await authorize(request).administration
            let id = try context.parameters.require("id")
            try await call { try await administration.revokeHook(id: id) }
            return Response(status: .noContent)
        }
    }

    /// The admin behind the request and the administration to act with.
    func authorize(_ request: Request) async throws -> (admin: Account, administration: BotAdministration) {
        let admin = try await accounts.authenticateAdmin(request)
        guard let administration else {
            throw APIError(.serviceUnavailable, "unavailable", "this server's store keeps no bots")
        }
        return (admin, administration)
    }

    /// Runs an administration call, turning its refusals and an unavailable store into JSON errors.
    func call<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let failure as BotAdministration.Failure {
            let status: HTTPResponse.Status =
                switch failure.code {
                case "no_such_bot", "no_such_hook": .notFound
                case "name_taken": .conflict
                default: .badRequest
                }
            throw APIError(status, failure.code, failure.message)
        } catch let error as StoreError {
            throw APIError(.serviceUnavailable, "unavailable", "the store is unavailable: \(error.message)")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request, shape: String) async throws -> T {
        let body = try await BotMessagesController.collect(request, upTo: 16 * 1024)
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch {
            throw APIError(.badRequest, "bad_json", "the body must be a JSON object \(shape)")
        }
    }
}
