import PostgresNIO

extension DatabaseURL: CustomStringConvertible {
    /// Where the data lives, for the startup log: never the password.
    package var description: String {
        switch self {
        case .memory: "memory (lost on restart)"
        case .sqlite(let path): "SQLite file \(path)"
        case .postgres(let postgres): "PostgreSQL at \(postgres.client.host ?? "?"):\(postgres.client.port ?? 5432)"
        }
    }
}
