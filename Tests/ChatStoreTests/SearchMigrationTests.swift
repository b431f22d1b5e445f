import ChatCore
import Foundation
import GRDB
import PostgresNIO
import TestSupport
import Testing

@testable import ChatStore

/// Migrations 5 and 12 index what was stored before them: an upgraded database finds old
/// messages (migration 12: by CJK substrings, emoji and folded accents).
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
            // What a database made before search has: every migration but 5 (up to 11, the
            // version before search's normalised text).
            try OlderSQLiteSchema.create(in: db) { $0.version != 5 && $0.version <= 11 }
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
        #expect(try await store.appliedMigrations() == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
        func seqs(_ text: String) async throws -> [Int64] {
            try await store.search(SearchQuery(terms: SearchTerms(parsing: text), reader: nil)).hits.map(\.message.seq)
        }
        #expect(try await seqs("news") == [3, 1])
        #expect(try await seqs("cafe") == [1], "the old event stays out of the index")
        _ = try await store.append(
            MessageDraft(conversation: .room("old"), from: "bob", text: "fresh news", clientID: "f1", timestamp: 100))
        #expect(try await seqs("news") == [6, 3, 1], "a message after the upgrade comes first")
    }

    /// Messages stored at version 11 (seq, text; 4 is a room event, 5 deleted): each is found
    /// by what `expectations` says after the upgrade.
    static let oldRows: [(seq: Int64, text: String, event: String?, deletedBy: String?)] = [
        (1, "我们明天开会", nil, nil),
        (2, "party 🎉 at the Café", nil, nil),
        (3, "東京タワー 학교에", nil, nil),
        (4, "明天 topic", RoomEvent(.topic, topic: "明天").storedJSON, nil),
        (5, "明天 deleted", nil, "alice"),
    ]

    /// What an upgraded database finds (query, seqs newest first), and after an edit.
    static func checkUpgraded(_ store: any DatabaseURL.DurableStore) async throws {
        func seqs(_ text: String) async throws -> [Int64] {
            try await store.search(SearchQuery(terms: SearchTerms(parsing: text), reader: nil)).hits.map(\.message.seq)
        }
        #expect(try await seqs("明天") == [1], "a CJK substring; not the event, not the deleted message")
        #expect(try await seqs("🎉") == [2])
        #expect(try await seqs("cafe") == [2])
        #expect(try await seqs("タワー") == [3])
        #expect(try await seqs("학교") == [3])
        // An edit of an old message re-indexes it: old words gone, new ones found.
        _ = try await store.append(
            MessageDraft(
                conversation: .room("old"), from: "alice", text: "", clientID: "edit", timestamp: 200,
                update: MessageUpdate(.edit, seq: 1, text: "后天开会 👍")))
        #expect(try await seqs("明天").isEmpty)
        #expect(try await seqs("后天") == [1])
        #expect(try await seqs("👍") == [1])
        _ = try await store.append(
            MessageDraft(
                conversation: .room("old"), from: "alice", text: "", clientID: "delete", timestamp: 201,
                update: MessageUpdate(.delete, seq: 2)))
        #expect(try await seqs("🎉").isEmpty, "a deleted old message leaves the index")
        _ = try await store.append(
            MessageDraft(conversation: .room("old"), from: "bob", text: "明天见", clientID: "n", timestamp: 300))
        #expect(try await seqs("明天") == [8], "a message after the upgrade")
    }

    @Test("a SQLite file at version 11 gets its stored messages' normalised text: CJK, emoji and accents found")
    func sqliteUpgradeToNormalisedText() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "rabbitchat-upgrade-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("v11.sqlite").path
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            for migration in SQLiteSchema.migrations where migration.version <= 11 {
                #expect(migration.backfill == nil && migration.finally.isEmpty)
            }
            try OlderSQLiteSchema.create(in: db) { $0.version <= 11 }
            try db.execute(
                sql:
                    "INSERT INTO conversations (key, kind, room, epoch, last_seq, created_at) VALUES ('room:old', 'room', 'old', 'e', 5, 1)"
            )
            for row in Self.oldRows {
                try db.execute(
                    sql: """
                        INSERT INTO messages (conversation_key, seq, id, sender, client_id, text, created_at, event, deleted_by)
                        VALUES ('room:old', ?, ?, 'alice', ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        row.seq, "id-\(row.seq)", "c\(row.seq)", row.text, row.seq * 10, row.event, row.deletedBy,
                    ])
            }
        }
        try queue.close()

        let store = try SQLiteMessageStore(path: path)
        #expect(try await store.appliedMigrations() == Array(1...12))
        try await Self.checkUpgraded(store)
    }

    @Test(
        "a PostgreSQL schema at version 11 gets its stored messages' normalised text: CJK, emoji and accents found",
        .requires(.postgreSQL))
    func postgresUpgradeToNormalisedText() async throws {
        try await StoreFixture.with(.postgres) { fixture in
            let configuration = try #require(fixture.postgresConfiguration)
            // A schema at version 11: migrated, then migration 12 undone (version 5's column
            // back), then messages stored the way version 11 stored them.
            let store = try PostgresMessageStore(configuration: configuration, logger: PostgresTestDatabase.logger)
            try await StoreFixture.running(store) {
                #expect(try await store.appliedMigrations() == Array(1...12))
                for statement in [
                    "ALTER TABLE messages DROP COLUMN search_vector, DROP COLUMN search_text",
                    """
                    ALTER TABLE messages ADD COLUMN search_vector tsvector GENERATED ALWAYS AS
                        (CASE WHEN event IS NULL THEN to_tsvector('simple', text) END) STORED
                    """,
                    "CREATE INDEX messages_search_vector ON messages USING GIN (search_vector)",
                    "DELETE FROM schema_migrations WHERE version = 12",
                    """
                    INSERT INTO conversations (key, kind, room, epoch, last_seq, created_at)
                    VALUES ('room:old', 'room', 'old', 'e', 5, 1)
                    """,
                ] {
                    _ = try await store.query(PostgresQuery(unsafeSQL: statement))
                }
                for row in Self.oldRows {
                    _ = try await store.query(
                        """
                        INSERT INTO messages (conversation_key, seq, id, sender, client_id, text, created_at, event, deleted_by)
                        VALUES ('room:old', \(row.seq), \("id-\(row.seq)"), 'alice', \("c\(row.seq)"), \(row.text),
                            \(row.seq * 10), \(row.event), \(row.deletedBy))
                        """)
                }
                #expect(try await store.appliedMigrations() == Array(1...11))
            }
            let upgraded = try PostgresMessageStore(configuration: configuration, logger: PostgresTestDatabase.logger)
            try await StoreFixture.running(upgraded) {
                #expect(try await upgraded.appliedMigrations() == Array(1...12))
                try await Self.checkUpgraded(upgraded)
            }
        }
    }
}
