import ChatCore
import ChatStore
import Foundation
import TestSupport
import Testing

/// Versioned migrations: recorded in `schema_migrations`, applied once however often the
/// store is opened.
@Suite("Migrations", .timeLimit(.minutes(2)))
struct MigrationTests {
    @Test("opening a SQLite file again applies nothing twice and keeps the data")
    func sqliteMigrationsAreIdempotent() async throws {
        try await StoreFixture.with(.sqlite) { fixture in
            for round in 1...3 {
                try await fixture.open { store, _ in
                    let sqlite = try #require(store as? SQLiteMessageStore)
                    #expect(try await sqlite.appliedMigrations() == Array(1...12))
                    let result = try await store.append(
                        MessageDraft(
                            conversation: .room("m"), from: "a", text: "round \(round)", clientID: "r\(round)",
                            timestamp: 0))
                    #expect(result.message.seq == Int64(round))
                }
            }
        }
    }

    @Test("the SQLite file is in WAL mode")
    func sqliteUsesWAL() async throws {
        try await StoreFixture.with(.sqlite) { fixture in
            try await fixture.open { store, _ in
                let sqlite = try #require(store as? SQLiteMessageStore)
                _ = try await store.state(of: .room("wal"))
                #expect(FileManager.default.fileExists(atPath: sqlite.path + "-wal"))
            }
        }
    }

    @Test("a SQLite path in a missing directory is a clear error")
    func sqliteMissingDirectory() throws {
        let path = "/nonexistent-\(UUID().uuidString)/chat.sqlite"
        #expect {
            _ = try SQLiteMessageStore(path: path)
        } throws: { error in
            (error as? StoreError)?.code == .unavailable && (error as? StoreError)?.message.contains(path) == true
        }
    }

    @Test("opening PostgreSQL again applies nothing twice and keeps the data", .requires(.postgreSQL))
    func postgresMigrationsAreIdempotent() async throws {
        try await StoreFixture.with(.postgres) { fixture in
            for round in 1...2 {
                try await fixture.open { store, _ in
                    let postgres = try #require(store as? PostgresMessageStore)
                    #expect(try await postgres.appliedMigrations() == Array(1...12))
                    let result = try await store.append(
                        MessageDraft(
                            conversation: .room("m"), from: "a", text: "round \(round)", clientID: "r\(round)",
                            timestamp: 0))
                    #expect(result.message.seq == Int64(round))
                }
            }
        }
    }
}
