package import ChatCore
import GRDB

extension SQLiteMessageStore: ConversationArchive {
    package func archivedConversation(_ conversation: Conversation) async throws -> ArchivedConversation? {
        try await guarded {
            try await pool.read { db in
                try Row.fetchOne(
                    db, sql: "SELECT epoch, last_seq, pruned_through FROM conversations WHERE key = ?",
                    arguments: [conversation.key]
                ).map {
                    ArchivedConversation(
                        conversation: conversation, epoch: $0["epoch"], lastSeq: $0["last_seq"],
                        prunedThrough: $0["pruned_through"])
                }
            }
        }
    }

    package func directConversations(of user: String) async throws -> [Conversation] {
        try await guarded {
            try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql:
                        "SELECT user_a, user_b FROM conversations WHERE kind = 'dm' AND (user_a = ? OR user_b = ?) ORDER BY key",
                    arguments: [user, user]
                ).map { Conversation.direct($0["user_a"], $0["user_b"]) }
            }
        }
    }

    package func roomMessages(
        sentBy user: String, afterKey: String, afterSeq: Int64, limit: Int
    ) async throws
        -> [StoredMessage]
    {
        try await guarded {
            try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT \(Self.messageColumns) FROM messages
                        WHERE sender = ? AND conversation_key LIKE 'room:%' AND (conversation_key, seq) > (?, ?)
                        ORDER BY conversation_key, seq LIMIT ?
                        """,
                    arguments: [user, afterKey, afterSeq, limit]
                ).map(Self.message)
            }
        }
    }

    package func restoreConversation(_ archived: ArchivedConversation) async throws {
        guard let conversation = archived.conversation else {
            throw ArchiveError("unknown conversation kind `\(archived.kind)`")
        }
        let stored: Int64? = try await guarded {
            try await pool.write { db in
                let (userA, userB) = conversation.storageParties
                let existing = try Int64.fetchOne(
                    db, sql: "SELECT last_seq FROM conversations WHERE key = ?", arguments: [conversation.key])
                if let existing, existing > 0 { return existing }
                try db.execute(
                    sql: """
                        INSERT INTO conversations (key, kind, room, user_a, user_b, epoch, last_seq, pruned_through, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (key) DO UPDATE SET epoch = excluded.epoch, last_seq = excluded.last_seq,
                            pruned_through = excluded.pruned_through
                        """,
                    arguments: [
                        conversation.key, conversation.storageKind, conversation.storageRoom, userA, userB,
                        archived.epoch,
                        archived.lastSeq, archived.prunedThrough, ChatClock.wallMillis(),
                    ])
                return nil
            }
        }
        if let stored {
            throw ArchiveError(
                "\(conversation.key) already has \(stored) messages here; import into a store without it")
        }
    }

    package func restoreMessages(_ messages: [StoredMessage]) async throws {
        try await guarded {
            try await pool.write { db in
                let insert = try db.cachedStatement(
                    sql: """
                        INSERT INTO messages (\(Self.messageColumns), reply_to, update_seq, search_text)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                for message in messages {
                    try insert.execute(arguments: [
                        message.conversationKey, message.seq, message.id, message.from, message.clientID, message.text,
                        message.timestamp, message.event?.storedJSON, message.update?.storedJSON,
                        message.replyTo?.storedJSON, message.editedAt, message.deletedBy,
                        message.reactions.isEmpty ? nil : message.reactions.storedJSON,
                        // The files' descriptions, not their references: the bytes are not in
                        // the archive (OPERATIONS.md, "Export and import").
                        Self.namesJSON(message.mentions), message.attachments.storedJSON,
                        message.replyTo?.seq, message.update?.seq,
                        message.event == nil ? SearchTextNormalizer.indexText(message.text) : nil,
                    ])
                }
            }
        }
    }
}
