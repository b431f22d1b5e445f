import ArgumentParser
import ChatCore
import ChatStore
import Foundation

/// `rabbitchat room …`: rooms on the configured store, acting as the operator (above every
/// role; recorded as `(operator)` in the moderation log).
struct RoomCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "room",
        abstract: "List, inspect and delete rooms, give them an owner, and set their retention.",
        subcommands: [List.self, Show.self, Delete.self, SetOwner.self, Retention.self])

    /// A `RoomStoreError` as the operator reads it.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func refusing<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as RoomStoreError {
            throw Failure(description: "\(error.code.rawValue): \(error.message)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every room: name, visibility, members, topic.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let rows = try await store.withStore { store in
                var rows: [[String]] = []
                for room in try await store.allRooms() {
                    rows.append(
                        [
                            room.name, room.visibility.rawValue, "\(try await store.members(of: room.name).count)",
                            room.topic,
                        ])
                }
                return rows
            }
            print(["name", "visibility", "members", "topic"].joined(separator: "\t"))
            for row in rows { print(row.joined(separator: "\t")) }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a room: its settings, members and roles, bans, mutes and recent moderation.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The room name (any case).") var name: String

        func run() async throws {
            let lines = try await store.withStore { store in
                guard let room = try await store.room(named: name) else {
                    throw Failure(description: "no_such_room: no room `\(name)`")
                }
                let now = ChatClock.wallMillis()
                var lines = [
                    "name: \(room.name)", "visibility: \(room.visibility.rawValue)", "topic: \(room.topic)",
                    "creator: \(room.creator)", "created: \(Timestamp.iso(room.createdAt))",
                ]
                if let retention = store as? any MessageRetention {
                    let days = try await retention.roomRetention(of: room.name)
                    lines.append(
                        "retention: " + (days.map { $0 == 0 ? "keep everything" : "\($0) days" } ?? "server default"))
                }
                lines.append("members:")
                for member in try await store.members(of: room.name) {
                    lines.append("  \(member.user)\t\(member.role.rawValue)")
                }
                lines.append("bans:")
                for ban in try await store.bans(in: room.name, now: now) {
                    lines.append(
                        "  \(ban.user)\tuntil \(ban.until.map(Timestamp.iso) ?? "forever")\tby \(ban.bannedBy)\t\(ban.reason)"
                    )
                }
                lines.append("mutes:")
                for mute in try await store.mutes(in: room.name, now: now) {
                    lines.append(
                        "  \(mute.user)\tuntil \(mute.until.map(Timestamp.iso) ?? "unmuted")\tby \(mute.mutedBy)")
                }
                lines.append("moderation:")
                for entry in try await store.moderationLog(of: room.name, limit: 20) {
                    lines.append(
                        "  \(Timestamp.iso(entry.createdAt))\t\(entry.actor)\t\(entry.action.rawValue)\t\(entry.target ?? "")\t"
                            + (entry.seq.map { "seq \($0): " } ?? "") + entry.detail)
                }
                return lines
            }
            for line in lines { print(line) }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Delete a room with its members, invitations, bans and mutes (its messages and moderation log stay).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The room name (any case).") var name: String

        func run() async throws {
            try await store.withStore { store in
                try await RoomCommand.refusing {
                    try await store.deleteRoom(named: name, by: .serverOperator, now: ChatClock.wallMillis())
                }
            }
            print("deleted room \(name)")
        }
    }

    struct SetOwner: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-owner", abstract: "Make a registered user an owner of a room (other owners stay).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The room name (any case).") var room: String
        @Argument(help: "The account name.") var user: String

        func run() async throws {
            try await store.withStore { store in
                try await RoomCommand.refusing {
                    try await store.setRole(
                        .owner, of: user, in: room, by: .serverOperator, now: ChatClock.wallMillis())
                }
            }
            print("\(user) owns room \(room)")
        }
    }

    struct Retention: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Show or set a room's retention: days (0 keeps everything) or `default` (the server's --retention-days)."
        )
        @OptionGroup var store: StoreOptions
        @Argument(help: "The room name (any case).") var room: String
        @Argument(help: "Days to keep, 0 for ever, or `default`; omitted: show the current setting.") var days: String?

        func validate() throws {
            guard let days, days != "default" else { return }
            guard let number = Int(days), (0...RetentionPolicy.maxDays).contains(number) else {
                throw ValidationError("days: 0 to \(RetentionPolicy.maxDays), or `default`, not `\(days)`")
            }
        }

        func run() async throws {
            let current = try await store.withStore { store in
                guard let retention = store as? any MessageRetention else {
                    throw CommandFailure("this store keeps no retention")
                }
                return try await RoomCommand.refusing {
                    if let days {
                        try await retention.setRoomRetention(
                            days == "default" ? nil : Int(days), of: room, by: .serverOperator,
                            now: ChatClock.wallMillis())
                    }
                    return try await retention.roomRetention(of: room)
                }
            }
            print(
                "\(room): "
                    + (current.map { $0 == 0 ? "keeps everything" : "keeps \($0) day(s)" } ?? "follows --retention-days")
            )
        }
    }
}
