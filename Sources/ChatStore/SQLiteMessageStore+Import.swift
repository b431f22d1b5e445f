import ChatCore
import GRDB

extension SQLiteMessageStore: MessageImport {
    package func importMessages(_ batch: [ImportedMessage]) async throws {
        try await guarded {
            try await pool.write { db in
                var newest: [String: (Conversation, Int64)] = [:]
                for item in batch {
                    let key = item.conversation.key
                    newest[key] = (item.conversation, max(newest[key]?.1 ?? 0, item.message.seq))
                }
                for (conversation, _) in newest.values { try Self.ensureConversation(db, conversation) }
                let insert = try db.cachedStatement(
                    sql: """
                        INSERT INTO messages (conversation_key, seq, id, sender, client_id, text, created_at, search_text)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                for item in batch {
                    let message = item.message
                    try insert.execute(arguments: [
                        message.conversationKey, message.seq, message.id, message.from, message.clientID, message.text,
                        message.timestamp, SearchTextNormalizer.indexText(message.text),
                    ])
                }
                for (key, (_, seq)) in newest {
                    try db.execute(
                        sql: "UPDATE conversations SET last_seq = MAX(last_seq, ?) WHERE key = ?",
                        arguments: [seq, key])
                }
            }
        }
    }

    package func messageCount() async throws -> Int {
        try await guarded {
            try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM messages") ?? 0 }
        }
    }

    package func analyze() async throws {
        try await guarded { try await pool.writeWithoutTransaction { db in try db.execute(sql: "ANALYZE") } }
    }
}
