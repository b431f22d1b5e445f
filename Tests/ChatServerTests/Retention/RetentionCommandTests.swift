import ChatCore
import ChatServer
import ChatStore
import Foundation
import TestSupport
import Testing

/// `rabbitchat prune`, `export`, `import` and `room retention`: the real built binary on the
/// store a running server uses, on SQLite and PostgreSQL.
@Suite("Retention command line", .timeLimit(.minutes(5)), .requires(.rabbitchat))
struct RetentionCommandTests {
    static let day: Int64 = 86_400_000

    @Test(
        "prune --dry-run counts, prune removes, export and import move the room to a fresh store, room retention sets the override",
        arguments: await TestDatabase.available)
    func commands(database: TestDatabase) async throws {
        try await database.with { location in
            let store = try location.open()
            let rooms = try #require(store as? any RoomStore)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent(
                "export-\(UUID().uuidString).jsonl"
            ).path
            defer { try? FileManager.default.removeItem(atPath: file) }
            try await TestServer.with(ServerConfigurationFactory.make(), store: store) { _, _ in
                let now = ChatClock.wallMillis()
                _ = try await rooms.createRoom(
                    Room(name: "Lobby", topic: "hi", visibility: .public, creator: "op", createdAt: now))
                for n in 1...5 {
                    _ = try await store.append(
                        MessageDraft(
                            conversation: .room("Lobby"), from: "alice", text: "m\(n)", clientID: "c\(n)",
                            timestamp: n <= 3 ? now - 40 * Self.day : now))
                }

                let preview = try await AdminCommand.run(["prune", "--older-than", "30d", "--dry-run"], on: location)
                #expect(preview.status == 0, "\(preview.errors)")
                #expect(preview.lines.dropLast() == ["conversation\tmessages\tthrough seq", "room:Lobby\t3\t3"])
                #expect(preview.lines.last?.hasPrefix("would prune 3 message(s) stored before ") == true)
                #expect(try await store.state(of: .room("Lobby")).firstAvailableSeq == 1, "a dry run prunes nothing")

                let bad = try await AdminCommand.run(["prune", "--older-than", "30 days"], on: location)
                #expect(bad.status != 0)
                #expect(bad.errors.contains("--older-than"))

                let pruned = try await AdminCommand.run(
                    ["prune", "--older-than", "30d", "--room", "LOBBY"], on: location)
                #expect(pruned.status == 0, "\(pruned.errors)")
                #expect(pruned.lines.dropLast() == ["conversation\tmessages", "room:Lobby\t3"])
                #expect(try await store.state(of: .room("Lobby")).firstAvailableSeq == 4)

                let set = try await AdminCommand.run(["room", "retention", "lobby", "90"], on: location)
                #expect(set.lines == ["lobby: keeps 90 day(s)"], "\(set.errors)")
                let unknown = try await AdminCommand.run(["room", "retention", "nowhere"], on: location)
                #expect(unknown.status != 0)
                #expect(unknown.errors.contains("no_such_room"))

                let exported = try await AdminCommand.run(["export", "--room", "lobby", "-o", file], on: location)
                #expect(exported.status == 0, "\(exported.errors)")
                #expect(exported.errors.contains("exported 1 conversation(s), 2 message(s)"))
            }
            let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(lines.count == 5, "header, room, conversation, seqs 4 and 5")

            // Into a fresh store of the same kind, and out again: the same lines after the header.
            try await database.with { target in
                let imported = try await AdminCommand.run(["import", file], on: target)
                #expect(imported.status == 0, "\(imported.errors)")
                #expect(
                    imported.lines == [
                        "imported 1 conversation(s), 2 message(s); rooms created: 1, kept as they were: 0; authored room messages skipped: 0"
                    ])
                let again = try await AdminCommand.run(["export", "--room", "LOBBY"], on: target)
                #expect(Array(again.lines.dropFirst()) == Array(lines.dropFirst()))
                let twice = try await AdminCommand.run(["import", file], on: target)
                #expect(twice.status != 0)
                #expect(twice.errors.contains("already has 5 messages"), "\(twice.errors)")
            }
        }
    }
}
