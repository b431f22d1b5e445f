package import ChatCore
import Foundation
package import Logging
import PostgresNIO

/// Where a node keeps its history and accounts, parsed from `--database-url`.
///
/// - `memory:` — in process memory, lost on restart (tests, demos).
/// - `sqlite:///absolute/path.sqlite`, `sqlite:relative.sqlite` or a plain path — one SQLite
///   file (the default: `rabbitchat.sqlite` in the working directory).
/// - `postgres://user:password@host:5432/database` (or `postgresql://`) — PostgreSQL, shared by
///   several nodes. Query options: `schema=<name>` puts the tables in that schema,
///   `sslmode=disable` is the only TLS mode supported so far (use a local socket or a trusted
///   network).
package enum DatabaseURL: Sendable {
    case memory
    case sqlite(path: String)
    case postgres(PostgresMessageStore.Configuration)

    /// The default: `rabbitchat.sqlite` in the working directory.
    package static let defaultSQLitePath = "rabbitchat.sqlite"

    /// Parses a database URL.
    ///
    /// - Throws: `DatabaseURLError` naming what is wrong (unknown scheme, missing host, bad port,
    ///   unsupported option), never a half-configured store.
    package init(parsing text: String) throws(DatabaseURLError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw DatabaseURLError("the database URL is empty") }
        if trimmed == "memory:" || trimmed == "memory" {
            self = .memory
            return
        }
        if trimmed.hasPrefix("sqlite:") {
            var path = String(trimmed.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else { throw DatabaseURLError("`\(text)` names no SQLite file") }
            self = .sqlite(path: path)
            return
        }
        if trimmed.hasPrefix("postgres://") || trimmed.hasPrefix("postgresql://") {
            self = .postgres(try Self.postgres(trimmed))
            return
        }
        if let scheme = trimmed.range(of: "://") {
            throw DatabaseURLError(
                "unknown database scheme `\(trimmed[..<scheme.lowerBound])`; use sqlite:, postgres:// or memory:")
        }
        self = .sqlite(path: trimmed)
    }

    static func postgres(_ text: String) throws(DatabaseURLError) -> PostgresMessageStore.Configuration {
        guard let components = URLComponents(string: text) else {
            throw DatabaseURLError("`\(Self.redacted(text))` is not a valid URL")
        }
        guard let user = components.percentEncodedUser.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw DatabaseURLError("the PostgreSQL URL needs a user: postgres://user:password@host/database")
        }
        let password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        let host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw DatabaseURLError("PostgreSQL port \(port) is out of range") }
        var database = String(components.path.drop(while: { $0 == "/" }))
        if database.isEmpty { database = user }
        var schema: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "schema":
                guard let value = item.value, PostgresMessageStore.isValidSchemaName(value) else {
                    throw DatabaseURLError("schema must be 1 to 63 characters of a-z, 0-9 and _")
                }
                schema = value
            case "sslmode":
                guard item.value == "disable" else {
                    throw DatabaseURLError("sslmode `\(item.value ?? "")` is not supported; use sslmode=disable")
                }
            default:
                throw DatabaseURLError("unknown PostgreSQL URL option `\(item.name)`; known: schema, sslmode")
            }
        }
        let client = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: .disable)
        return PostgresMessageStore.Configuration(client: client, schema: schema)
    }

    /// `text` with the password replaced by `***`, for messages and logs.
    package static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? text
    }

    /// Opens the store this URL names.
    ///
    /// A PostgreSQL store is also a `Service` and must run in the node's service group;
    /// `ChatApplication.build` adds it there when handed the store.
    package func openStore(logger: Logger) throws -> any MessageStore {
        switch self {
        case .memory:
            return InMemoryMessageStore()
        case .sqlite(let path):
            return try SQLiteMessageStore(path: path)
        case .postgres(let configuration):
            return try PostgresMessageStore(configuration: configuration, logger: logger)
        }
    }
}
