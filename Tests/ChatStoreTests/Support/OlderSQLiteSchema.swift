import GRDB

@testable import ChatStore

/// The schema of a SQLite file an older version made: what upgrade tests start from.
enum OlderSQLiteSchema {
    /// Creates `schema_migrations` and runs the statements of the migrations `include` accepts,
    /// recording each as applied, as that version of the server did.
    ///
    /// Only `statements` run: migrations up to 11 have no backfill (the tests that start at 11
    /// check it), and later ones are what the upgrade under test applies.
    static func create(in db: Database, migrations include: (Migration) -> Bool) throws {
        try db.execute(
            sql:
                "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"
        )
        for migration in SQLiteSchema.migrations where include(migration) {
            for statement in migration.statements { try db.execute(sql: statement) }
            try db.execute(
                sql: "INSERT INTO schema_migrations VALUES (?, ?, 0)", arguments: [migration.version, migration.name])
        }
    }
}
