import ChatCore
import ChatStore
import Foundation
import Logging
import PostgresNIO
import Testing

/// The databases a server test can run on: a SQLite file in a fresh directory, or a fresh schema
/// on the test PostgreSQL (`RABBITCHAT_TEST_DATABASE_URL`, started by scripts/services/postgresql.sh).
///
/// When PostgreSQL is unreachable the test is skipped on a developer machine and fails under `CI`.
enum TestDatabase: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    static let postgresURL =
        ProcessInfo.processInfo.environment["RABBITCHAT_TEST_DATABASE_URL"]
        ?? "postgres://rabbitchat:rabbitchat@127.0.0.1:5432/rabbitchat_test"

    static let logger: Logger = {
        var logger = Logger(label: "test-database")
        logger.logLevel = .warning
        return logger
    }()

    /// Where one test's data lives; `open()` gives a new store on it each time (a restart).
    struct Location: Sendable {
        var sqlitePath: String?
        var postgres: PostgresMessageStore.Configuration?

        func open() throws -> any MessageStore {
            if let sqlitePath { return try SQLiteMessageStore(path: sqlitePath) }
            return try PostgresMessageStore(configuration: postgres!, logger: TestDatabase.logger)
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `body` with a fresh location and removes its data afterwards.
    func with<T: Sendable>(_ body: (Location) async throws -> T) async throws -> T {
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rabbitchat-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            return try await body(Location(sqlitePath: directory.appendingPathComponent("chat.sqlite").path))
        case .postgres:
            guard case .postgres(var configuration) = try DatabaseURL(parsing: Self.postgresURL) else {
                throw Failure(description: "RABBITCHAT_TEST_DATABASE_URL is not a postgres:// URL")
            }
            let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            configuration.schema = schema
            configuration.startupTimeout = .seconds(10)
            let connection: PostgresConnection
            do {
                connection = try await PostgresConnection.connect(
                    configuration: .init(
                        host: configuration.client.host ?? "127.0.0.1", port: configuration.client.port ?? 5432,
                        username: configuration.client.username, password: configuration.client.password,
                        database: configuration.client.database, tls: .disable),
                    id: 1, logger: Self.logger)
            } catch {
                let message = "PostgreSQL is unreachable (\(error)); run scripts/services/postgresql.sh"
                if !(ProcessInfo.processInfo.environment["CI"] ?? "").isEmpty {
                    throw Failure(description: message)
                }
                try Test.cancel(Comment(rawValue: message + " — skipped outside CI"))
            }
            func drop() async {
                _ = try? await connection.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(schema) CASCADE"), logger: Self.logger)
                try? await connection.close()
            }
            do {
                let result = try await body(Location(postgres: configuration))
                await drop()
                return result
            } catch {
                await drop()
                throw error
            }
        }
    }
}
