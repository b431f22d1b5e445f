import ChatCore
import ChatStore
import Foundation
import Logging
import PostgresNIO
import TestSupport
import Testing

/// The databases a server test can run on: a SQLite file in a fresh directory, or a fresh schema
/// on the test PostgreSQL (`RABBITCHAT_TEST_DATABASE_URL`, started by scripts/services/postgresql.sh).
///
/// Tests take their cases from `TestDatabase.available`: without PostgreSQL the `postgres` cases
/// are left out (`PostgresAvailabilityTests` reports it as skipped), and under `CI` they fail.
enum TestDatabase: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    static let postgresURL = TestEnvironment.databaseURL

    /// What the database needs from the machine.
    var services: [TestEnvironment.Service] {
        self == .postgres ? [.postgreSQL] : []
    }

    /// The databases this machine can run: `postgres` only with PostgreSQL there, or under CI.
    static var available: [TestDatabase] {
        get async { await TestEnvironment.available(allCases, needing: \.services) }
    }

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
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "rabbitchat-\(UUID().uuidString)")
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
            try await TestEnvironment.require(.postgreSQL)
            let connection = try await PostgresConnection.connect(
                configuration: .init(
                    host: configuration.client.host ?? "127.0.0.1", port: configuration.client.port ?? 5432,
                    username: configuration.client.username, password: configuration.client.password,
                    database: configuration.client.database, tls: .disable),
                id: 1, logger: Self.logger)
            func drop() async {
                _ = try? await connection.query(
                    PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(schema) CASCADE"), logger: Self.logger)
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
