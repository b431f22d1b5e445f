import ArgumentParser
import ChatCore
import ChatServer
import Foundation

/// `rabbitchat bot …`: bots and their incoming webhooks on the configured store, for the operator.
///
/// Made here or through the admin API (`/api/admin/bots`), with the same rules
/// (`BotAdministration`). Tokens and hook secrets are printed once and stored hashed; revokes
/// take effect at once on every running node (lookups read the store every time).
struct BotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bot",
        abstract: "Create, list and revoke bots (scoped tokens) and their incoming webhooks.",
        subcommands: [Create.self, List.self, Revoke.self, Hook.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a bot that may post to the given rooms; print its token (shown once).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The bot's name (an account name no one else may use).") var name: String
        @Option(name: .customLong("room"), help: "A room the bot may post to (repeat for several).") var rooms:
            [String] = []
        @Flag(help: "Let the bot also read its rooms (join them over /ws, receive their messages).") var read = false

        func run() async throws {
            let created = try await store.withStore { store in
                try await BotAdministration(bots: store).create(
                    name: name, rooms: rooms, mayRead: read, by: BotAdministration.operatorName)
            }
            print(
                "created bot \(created.bot.name): posts to \(created.bot.scope.rooms.joined(separator: ", "))\(read ? ", reads them" : "")"
            )
            print("token: \(created.token)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every bot: name, rooms, read, state, created, by.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let bots = try await store.withStore { try await BotAdministration(bots: $0).list() }
            print(["name", "rooms", "read", "state", "created", "by"].joined(separator: "\t"))
            for bot in bots {
                print(
                    [
                        bot.name, bot.scope.rooms.joined(separator: ","), bot.scope.mayRead ? "yes" : "no",
                        bot.revokedAt == nil ? "live" : "revoked", Timestamp.iso(bot.createdAt), bot.createdBy,
                    ].joined(separator: "\t"))
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a bot: its token and all its hooks are refused at once, on every node.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The bot's name.") var name: String

        func run() async throws {
            try await store.withStore { try await BotAdministration(bots: $0).revoke(name: name) }
            print("revoked bot \(name) and its hooks")
        }
    }

    /// `rabbitchat bot hook …`.
    struct Hook: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create, list and revoke incoming webhooks (POST /hooks/<secret>).",
            subcommands: [HookCreate.self, HookList.self, HookRevoke.self])
    }

    struct HookCreate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create a hook posting to a room as a bot; print its URL path (shown once).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The bot it posts as.") var bot: String
        @Option(help: "The room it posts to (one of the bot's rooms).") var room: String

        func run() async throws {
            let created = try await store.withStore { store in
                try await BotAdministration(bots: store).createHook(
                    bot: bot, room: room, by: BotAdministration.operatorName)
            }
            print("created hook \(created.hook.id): posts to \(created.hook.room) as \(created.hook.bot)")
            print("path: \(created.path)")
        }
    }

    struct HookList: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List hooks: id, bot, room, state, created, by (never their secrets).")
        @OptionGroup var store: StoreOptions
        @Option(help: "Only this bot's hooks.") var bot: String?

        func run() async throws {
            let hooks = try await store.withStore { try await BotAdministration(bots: $0).hooks(of: bot) }
            print(["id", "bot", "room", "state", "created", "by"].joined(separator: "\t"))
            for hook in hooks {
                print(
                    [
                        hook.id, hook.bot, hook.room, hook.revokedAt == nil ? "live" : "revoked",
                        Timestamp.iso(hook.createdAt),
                        hook.createdBy,
                    ].joined(separator: "\t"))
            }
        }
    }

    struct HookRevoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke", abstract: "Revoke a hook: its URL answers 404 from then on.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The hook's id (from `bot hook list`).") var id: String

        func run() async throws {
            try await store.withStore { try await BotAdministration(bots: $0).revokeHook(id: id) }
            print("revoked hook \(id)")
        }
    }
}
