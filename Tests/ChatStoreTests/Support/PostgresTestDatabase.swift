import ChatStore
import Foundation
import Logging
import PostgresNIO
import Testing

/// The PostgreSQL server the tests use: `RABBITCHAT_TEST_DATABASE_URL`, by default
/// postgres://rabbitchat:rabbitchat@127.0.0.1:5432/rabbitchat_test (scripts/services/postgresql.sh
/// creates it). Each test gets a fresh schema, so tests running in parallel never see each
/// other's rows.
enum PostgresTestDatabase {
    static let url =
        ProcessInfo.processInfo.environment["RABBITCHAT_TEST_DATABASE_URL"]
        ?? "postgres://rabbitchat:rabbitchat@127.0.0.1:5432/rabbitchat_test"

    static var isCI: Bool {
        !(ProcessInfo.processInfo.environment["CI"] ?? "").isEmpty
    }

    static let logger: Logger = {
        var logger = Logger(label: "postgres-test")
        logger.logLevel = .warning
        return logger
    }()

    /// The configuration for a new, uniquely named schema.
    ///
    /// When the server cannot be reached, the test is cancelled (skipped) on a developer machine
    /// and fails when `CI` is set: CI must never pass without having run against PostgreSQL.
    static func freshConfiguration(sourceLocation: SourceLocation = #_sourceLocation) async throws
        -> PostgresMessageStore.Configuration
    {
        guard case .postgres(var configuration) = try DatabaseURL(parsing: url) else {
            throw Failure("RABBITCHAT_TEST_DATABASE_URL is not a postgres:// URL: \(url)")
        }
        if let problem = await reachability(configuration.client) {
            let message = "PostgreSQL at \(DatabaseURL.redacted(url)) is unreachable (\(problem)); run scripts/services/postgresql.sh"
            if isCI {
                Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
                throw Failure(message)
            }
            try Test.cancel(Comment(rawValue: message + " — skipped outside CI"), sourceLocation: sourceLocation)
        }
        configuration.schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        configuration.startupTimeout = .seconds(10)
        return configuration
    }

    /// Nil when a connection can be opened; otherwise why not.
    static func reachability(_ client: PostgresClient.Configuration) async -> String? {
        let configuration = PostgresConnection.Configuration(
            host: client.host ?? "127.0.0.1", port: client.port ?? 5432, username: client.username,
            password: client.password, database: client.database, tls: .disable)
        do {
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
            try await connection.close()
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Drops a test schema and everything in it.
    static func drop(schema: String, client: PostgresClient.Configuration) async {
        let configuration = PostgresConnection.Configuration(
            host: client.host ?? "127.0.0.1", port: client.port ?? 5432, username: client.username,
            password: client.password, database: client.database, tls: .disable)
        guard let connection = try? await PostgresConnection.connect(configuration: configuration, id: 2, logger: logger)
        else { return }
        _ = try? await connection.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(schema) CASCADE"), logger: logger)
        try? await connection.close()
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
