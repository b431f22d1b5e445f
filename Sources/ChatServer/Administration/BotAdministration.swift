public import ChatCore
import HummingbirdBcrypt
import NIOPosix

/// What `rabbitchat bot …` and the admin API (`/api/admin/bots`, `/api/admin/hooks`) do to bots
/// and their hooks, with one set of rules, so a bot made either way is the same bot.
///
/// A bot gets an account of its own name (so no user or guest can take the name, and room rules
/// that need an account apply to it) whose password hash is that of 256 random bits nobody
/// keeps: no one can log in as a bot. Its token and each hook's secret are returned once and
/// stored as SHA-256 only.
public struct BotAdministration: Sendable {
    /// A refusal, with a stable code (the admin API's `error.code`) and a message for people.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// `invalid_name`, `invalid_room`, `too_many_rooms`, `name_taken`, `no_such_bot`,
        /// `room_out_of_scope`, `too_many_hooks`, `no_such_hook`.
        public var code: String
        public var message: String
        public var description: String { "\(code): \(message)" }

        public init(_ code: String, _ message: String) {
            self.code = code
            self.message = message
        }
    }

    /// A new bot and its token, which is shown this once.
    public struct CreatedBot: Sendable {
        public var bot: Bot
        public var token: String
    }

    /// A new hook and its secret, which is shown this once.
    public struct CreatedHook: Sendable {
        public var hook: Webhook
        public var secret: String
        /// The path to post to: `/hooks/<secret>`.
        public var path: String { "/hooks/\(secret)" }
    }

    /// The most rooms one bot's scope may name.
    public static let maxRooms = 50
    /// The most live hooks one bot may have.
    public static let maxHooksPerBot = 20
    /// The creator name of bots and hooks made at the command line.
    public static let operatorName = "(operator)"

    let bots: any BotStore
    let limits: ChatLimits
    let bcryptCost: UInt8

    /// - Parameters:
    ///   - bots: the store `serve` uses.
    ///   - limits: the name rules (defaults as `serve`'s).
    ///   - bcryptCost: as `AccountsConfiguration.bcryptCost`, for the bot account's unusable hash.
    public init(
        bots: any BotStore, limits: ChatLimits = ChatLimits(), bcryptCost: UInt8 = AccountsConfiguration().bcryptCost
    ) {
        self.bots = bots
        self.limits = limits
        self.bcryptCost = bcryptCost
    }

    /// Creates the bot `name`, allowed to post to `rooms` (and read them when `mayRead`).
    public func create(name: String, rooms: [String], mayRead: Bool, by creator: String) async throws -> CreatedBot {
        guard ChatName.isValid(name, limits: limits) else {
            throw Failure("invalid_name", ChatName.rule(for: "bot name", limits: limits))
        }
        // One entry per room, in the order given, whatever the case.
        var scopeRooms: [String] = []
        for room in rooms where !scopeRooms.contains(where: { Room.key(for: $0) == Room.key(for: room) }) {
            guard ChatName.isValid(room, limits: limits) else {
                throw Failure("invalid_room", "`\(room)`: " + ChatName.rule(for: "room", limits: limits))
            }
            scopeRooms.append(room)
        }
        guard !scopeRooms.isEmpty else { throw Failure("invalid_room", "name at least one room the bot may post to") }
        guard scopeRooms.count <= Self.maxRooms else {
            throw Failure("too_many_rooms", "a bot may post to at most \(Self.maxRooms) rooms")
        }
        let now = ChatClock.wallMillis()
        let bot = Bot(
            name: name, scope: BotScope(rooms: scopeRooms, mayRead: mayRead), createdBy: creator, createdAt: now)
        let token = BotCredential.newToken()
        let unusable = BotCredential.randomBase64URL()
        let cost = bcryptCost
        let passwordHash = try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(unusable, cost: cost) }
        do {
            try await bots.createBot(
                bot, account: Account(name: name, passwordHash: passwordHash, createdAt: now),
                tokenHash: BotCredential.hash(token))
        } catch let error as BotStoreError {
            throw Failure(error.code.rawValue, error.message)
        }
        return CreatedBot(bot: bot, token: token)
    }

    /// Every bot, revoked ones included, by name.
    public func list() async throws -> [Bot] { try await bots.allBots() }

    /// Revokes the bot, its token and its hooks at once, on every node sharing the store.
    public func revoke(name: String) async throws {
        guard try await bots.revokeBot(named: name, now: ChatClock.wallMillis()) else {
            throw Failure("no_such_bot", "no live bot is called `\(name)`")
        }
    }

    /// Makes an incoming webhook that posts to `room` as `botName`; `room` must be in its scope.
    public func createHook(bot botName: String, room: String, by creator: String) async throws -> CreatedHook {
        guard let bot = try await bots.bot(named: botName), bot.revokedAt == nil else {
            throw Failure("no_such_bot", "no live bot is called `\(botName)`")
        }
        guard ChatName.isValid(room, limits: limits) else {
            throw Failure("invalid_room", ChatName.rule(for: "room", limits: limits))
        }
        guard bot.scope.mayPost(to: room) else {
            throw Failure(
                "room_out_of_scope",
                "`\(bot.name)` may not post to `\(room)`; its rooms are \(bot.scope.rooms.joined(separator: ", "))")
        }
        let live = try await bots.webhooks(of: bot.name).filter { $0.revokedAt == nil }.count
        guard live < Self.maxHooksPerBot else {
            throw Failure(
                "too_many_hooks", "a bot may have at most \(Self.maxHooksPerBot) live hooks; revoke one first")
        }
        // The scope's spelling of the room.
        let scoped = bot.scope.rooms.first { Room.key(for: $0) == Room.key(for: room) } ?? room
        let hook = Webhook(
            id: BotCredential.newHookID(), bot: bot.name, room: scoped, createdBy: creator,
            createdAt: ChatClock.wallMillis())
        let secret = BotCredential.newHookSecret()
        do {
            try await bots.createWebhook(hook, secretHash: BotCredential.hash(secret))
        } catch let error as BotStoreError {
            throw Failure(error.code.rawValue, error.message)
        }
        return CreatedHook(hook: hook, secret: secret)
    }

    /// The hooks of `bot` (every bot's when nil), revoked ones included.
    public func hooks(of bot: String?) async throws -> [Webhook] { try await bots.webhooks(of: bot) }

    /// Revokes the hook `id`: its URL answers 404 from then on.
    public func revokeHook(id: String) async throws {
        guard try await bots.revokeWebhook(id: id, now: ChatClock.wallMillis()) else {
            throw Failure("no_such_hook", "no live hook has the id `\(id)`")
        }
    }
}
