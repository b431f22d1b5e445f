import ArgumentParser
import ChatStore
import Foundation
import Logging

/// `--database-url`, read as `serve` reads it, for the commands that administer the store.
struct StoreOptions: ParsableArguments {
    @Option(
        help: """
            sqlite:///path/file.sqlite (or a plain path) or postgres://user:password@host:5432/database: the store \
            `serve` uses. [env: RABBITCHAT_DATABASE_URL] (default: rabbitchat.sqlite in the working directory)
            """)
    var databaseURL: String?

    /// Opens the store, runs `body`, closes it. Logs go to standard error at warning and above,
    /// so standard output holds only the command's answer.
    func withStore<T: Sendable>(_ body: (any DatabaseURL.DurableStore) async throws -> T) async throws -> T {
        let text =
            databaseURL ?? ProcessInfo.processInfo.environment["RABBITCHAT_DATABASE_URL"]
            ?? DatabaseURL.defaultSQLitePath
        let database: DatabaseURL
        do {
            database = try DatabaseURL(parsing: text)
        } catch {
            throw ValidationError("--database-url: \(error)")
        }
        var logger = Logger(label: "rabbitchat") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        return try await database.withDurableStore(logger: logger, body)
    }
}
