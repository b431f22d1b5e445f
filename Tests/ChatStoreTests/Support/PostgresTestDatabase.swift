import ChatStore
import Foundation
import Logging
import PostgresNIO
import TestSupport
import Testing

/// The PostgreSQL server the tests use: `TestEnvironment.databaseURL` (scripts/services/postgresql.sh
/// creates it). Each test gets a fresh schema, so tests running in parallel never see each
/// other's rows.
enum PostgresTestDatabase {
    static let url = TestEnvironment.databaseURL

    static let logger: Logger = {
        var logger = Logger(label: "postgres-test")
        logger.logLevel = .warning
        return logger
    }()

    /// The configuration for a new, uniquely named schema.
    ///
    /// Tests that get here need PostgreSQL (`TestEnvironment.require(.postgreSQL)`): they carry
    /// `.requires(.postgreSQL)` or take their cases from `StoreKind.available`.
    static func freshConfiguration(
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws
        -> PostgresMessageStore.Configuration
    {
        guard case .postgres(var configuration) = try DatabaseURL(parsing: url) else {
            throw Failure("RABBITCHAT_TEST_DATABASE_URL is not a postgres:// URL: \(url)")
        }
        try await TestEnvironment.require(.postgreSQL, sourceLocation: sourceLocation)
        configuration.schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        configuration.startupTimeout = .seconds(10)
        return configuration
    }

    /// Drops a test schema and everything in it.
    static func drop(schema: String, client: PostgresClient.Configuration) async {
        let configuration = PostgresConnection.Configuration(
            host: client.host ?? "127.0.0.1", port: client.port ?? 5432, username: client.username,
            password: client.password, database: client.database, tls: .disable)
        guard
            let connection = try? await PostgresConnection.connect(configuration: configuration, id: 2, logger: logger)
        else { return }
        _ = try? await connection.query(
            PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(schema) CASCADE"), logger: logger)
        try? await connection.close()
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
