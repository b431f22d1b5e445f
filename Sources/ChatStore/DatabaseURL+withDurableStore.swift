package import ChatCore
package import Logging

extension DatabaseURL {
    /// A store that keeps history, accounts, rooms, bots and uploads and searches messages: what the
    /// operator's commands work on.
    package typealias DurableStore = MessageStore & AccountStore & RoomStore & MessageSearch & BotStore & UploadStore

    /// Opens the durable store this URL names (migrating it like `serve` does), runs `body`
    /// with it, and closes it: for `rabbitchat user …` and `rabbitchat room …`.
    ///
    /// A PostgreSQL store runs its client beside `body` (outside any service group) and is
    /// stopped by cancellation once `body` returns.
    ///
    /// - Throws: `DatabaseURLError` for `memory:`, which holds nothing between two runs.
    package func withDurableStore<T: Sendable>(
        logger: Logger, _ body: (any DurableStore) async throws -> T
    ) async throws -> T {
        switch self {
        case .memory:
            throw DatabaseURLError(
                "`memory:` keeps nothing between runs; name the sqlite: or postgres:// store `serve` uses")
        case .sqlite(let path):
            return try await body(SQLiteMessageStore(path: path))
        case .postgres(let configuration):
            let store = try PostgresMessageStore(configuration: configuration, logger: logger)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.run() }
                defer { group.cancelAll() }
                return try await body(store)
            }
        }
    }
}
