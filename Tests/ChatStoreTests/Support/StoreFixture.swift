import ChatCore
import ChatStore
import Foundation
import Logging
import PostgresNIO
import Testing

/// The data behind one test's store, which can be opened several times: for SQLite a file in a
/// fresh temporary directory, for PostgreSQL a fresh schema, for memory one instance (reopening
/// it is the same process, so it keeps its data).
///
/// Opening again is what a restarted server does; durable stores must show the same data.
struct StoreFixture: Sendable {
    let kind: StoreKind
    private let sqlitePath: String?
    private let postgres: PostgresMessageStore.Configuration?
    private let memory: InMemoryMessageStore

    /// Runs `body` with a fresh fixture of `kind` and removes its data afterwards.
    static func with<T: Sendable>(_ kind: StoreKind, _ body: (StoreFixture) async throws -> T) async throws -> T {
        switch kind {
        case .memory:
            return try await body(StoreFixture(kind: kind, sqlitePath: nil, postgres: nil))
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("rabbitchat-store-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let fixture = StoreFixture(
                kind: kind, sqlitePath: directory.appendingPathComponent("test.sqlite").path, postgres: nil)
            return try await body(fixture)
        case .postgres:
            let configuration = try await PostgresTestDatabase.freshConfiguration()
            let fixture = StoreFixture(kind: kind, sqlitePath: nil, postgres: configuration)
            do {
                let result = try await body(fixture)
                await PostgresTestDatabase.drop(schema: configuration.schema!, client: configuration.client)
                return result
            } catch {
                await PostgresTestDatabase.drop(schema: configuration.schema!, client: configuration.client)
                throw error
            }
        }
    }

    private init(kind: StoreKind, sqlitePath: String?, postgres: PostgresMessageStore.Configuration?) {
        self.kind = kind
        self.sqlitePath = sqlitePath
        self.postgres = postgres
        self.memory = InMemoryMessageStore()
    }

    /// Opens the store (again), runs `body` with it, and closes it.
    func open<T: Sendable>(
        _ body: (_ messages: any MessageStore, _ accounts: any AccountStore) async throws -> T
    )
        async throws -> T
    {
        switch kind {
        case .memory:
            return try await body(memory, memory)
        case .sqlite:
            let store = try SQLiteMessageStore(path: sqlitePath!)
            return try await body(store, store)
        case .postgres:
            let store = try PostgresMessageStore(configuration: postgres!, logger: PostgresTestDatabase.logger)
            return try await Self.running(store) { try await body(store, store) }
        }
    }

    /// Opens the store as messages, accounts and rooms in one (what every store kind is) and runs
    /// `body`.
    func openRoomStore<T: Sendable>(_ body: (any DatabaseURL.DurableStore) async throws -> T) async throws -> T {
        switch kind {
        case .memory:
            return try await body(memory)
        case .sqlite:
            return try await body(try SQLiteMessageStore(path: sqlitePath!))
        case .postgres:
            let store = try PostgresMessageStore(configuration: postgres!, logger: PostgresTestDatabase.logger)
            return try await Self.running(store) { try await body(store) }
        }
    }

    /// Runs `body` while `store.run()` runs beside it, then stops the store.
    static func running<T: Sendable>(_ store: PostgresMessageStore, _ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            do {
                let result = try await body()
                group.cancelAll()
                try? await group.waitForAll()
                return result
            } catch {
                group.cancelAll()
                try? await group.waitForAll()
                throw error
            }
        }
    }

    /// The PostgreSQL configuration, for tests that open several clients at once.
    var postgresConfiguration: PostgresMessageStore.Configuration? { postgres }
}
