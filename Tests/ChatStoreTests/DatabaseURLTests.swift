import ChatStore
import PostgresNIO
import Testing

/// `--database-url` parsing: every accepted form, and a clear error for the rest.
@Suite("Database URLs")
struct DatabaseURLTests {
    @Test("memory, SQLite paths and URLs")
    func simpleForms() throws {
        guard case .memory = try DatabaseURL(parsing: "memory:") else {
            Issue.record("memory:")
            return
        }
        for (text, path) in [
            ("sqlite:///var/lib/chat.sqlite", "/var/lib/chat.sqlite"),
            ("sqlite:chat.sqlite", "chat.sqlite"),
            ("rabbitchat.sqlite", "rabbitchat.sqlite"),
            ("/tmp/x.db", "/tmp/x.db"),
        ] {
            guard case .sqlite(let parsed) = try DatabaseURL(parsing: text) else {
                Issue.record("\(text) is not SQLite")
                continue
            }
            #expect(parsed == path)
        }
    }

    @Test("PostgreSQL URLs with credentials, port, database and schema")
    func postgres() throws {
        guard
            case .postgres(let configuration) = try DatabaseURL(
                parsing: "postgres://chat:p%40ss@db.internal:6543/history?schema=node_a&sslmode=disable")
        else {
            Issue.record("not PostgreSQL")
            return
        }
        #expect(configuration.client.host == "db.internal")
        #expect(configuration.client.port == 6543)
        #expect(configuration.client.username == "chat")
        #expect(configuration.client.password == "p@ss")
        #expect(configuration.client.database == "history")
        #expect(configuration.schema == "node_a")
        guard case .postgres(let defaults) = try DatabaseURL(parsing: "postgresql://chat@localhost") else {
            Issue.record("not PostgreSQL")
            return
        }
        #expect(defaults.client.port == 5432)
        #expect(defaults.client.database == "chat")
        #expect(defaults.schema == nil)
    }

    @Test(
        "bad URLs are refused with what is wrong",
        arguments: [
            ("mysql://root@localhost/chat", "unknown database scheme `mysql`"),
            ("postgres://localhost/chat", "needs a user"),
            ("postgres://u@h/d?schema=Robert');DROP", "schema must be"),
            ("postgres://u@h/d?sslmode=require", "sslmode `require` is not supported"),
            ("postgres://u@h/d?pool=3", "unknown PostgreSQL URL option `pool`"),
            ("sqlite://", "names no SQLite file"),
            ("", "empty"),
        ])
    func refused(text: String, expected: String) {
        #expect {
            _ = try DatabaseURL(parsing: text)
        } throws: { error in
            (error as? DatabaseURLError)?.message.contains(expected) == true
        }
    }

    @Test("passwords are redacted in messages")
    func redaction() {
        #expect(DatabaseURL.redacted("postgres://u:secret@h/d") == "postgres://u:***@h/d")
        #expect(DatabaseURL.redacted("sqlite:x") == "sqlite:x")
    }
}
