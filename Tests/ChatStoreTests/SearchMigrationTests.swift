import ChatCore
import Foundation
import GRDB
import Testing

@testable import ChatStore

/// Migration 5 indexes what was stored before it: an upgraded database finds old messages.
@Suite("Search migration", .timeLimit(.minutes(2)))
struct SearchMigrationTests {
    @Test(
        "a SQLite file without migration 5 (versions 1–4, 6, 7) gets its chat messages indexed, not events, entries or tombstones"
    )
    func sqliteUpgradeIndexesStoredMessages() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "rabbitchat-upgrade-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("v7.sqlite").path
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(
                sql:
                    "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"
            )
            // What a database made before search has: every migration but 5.
            for migration in SQLiteSchema.migrations where migration.version != 5 {
                for statement in migration.statements { try db.execute(sql: statement) }
                try db.execute(
                    sql: "INSERT INTO schema_migrations VALUES (?, ?, 0)",
                    arguments: [migration.version, migration.name])
            }
            try db.execute(
                sql:
                    "INSERT INTO conversations (key, kind, room, epoch, last_seq, created_at) VALUES ('room:old', 'room', 'old', 'e', 5, 1)"
            )
            let rows: [(Int64, String, String?, String?, String?)] = [
                (1, "older café news", nil, nil, nil),
                (2, "café topic", RoomEvent(.topic, topic: "café").storedJSON, nil, nil),
                (3, "latest news", nil, nil, nil),
                // A deleted message: the store empties its text; kept here to show that the
                // search's own condition leaves it out.
                (4, "deleted news", nil, nil, "alice"),
                (5, "", nil, MessageUpdate(.delete, seq: 4).storedJSON, nil),
            ]
            for (seq, text, event, update, deletedBy) in rows {
                try db.execute(
                    sql: """
                        INSERT INTO messages (conversation_key, seq, id, sender, client_id, text, created_at, event,
                            update_json, deleted_by)
                        VALUES ('room:old', ?, ?, 'alice', ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [seq, "id-\(seq)", "c\(seq)", text, seq * 10, event, update, deletedBy])
            }
        }
        try queue.close()

        let store = try SQLiteMessageStore(path: path)
        #expect(try await store.appliedMigrations() == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
        func seqs(_ text: String) async throws -> [Int64] {
            try await store.search(SearchQuery(terms: SearchTerms(parsing: text), reader: nil)).hits.map(\.message.seq)
        }
        #expect(try await seqs("news") == [3, 1])
        #expect(try await seqs("cafe") == [1], "the old event stays out of the index")
        _ = try await store.append(
            MessageDraft(conversation: .room("old"), from: "bob", text: "fresh news", clientID: "f1", timestamp: 100))
        #expect(try await seqs("news") == [6, 3, 1], "a message after the upgrade comes first")
    }
}
