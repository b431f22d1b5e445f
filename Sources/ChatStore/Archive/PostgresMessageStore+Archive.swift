package import ChatCore
import Foundation
import PostgresNIO

extension PostgresMessageStore: ConversationArchive {
    package func archivedConversation(_ conversation: Conversation) async throws -> ArchivedConversation? {
        try await guarded {
            let rows = try await query(
                "SELECT epoch, last_seq, pruned_through FROM conversations WHERE key = \(conversation.key)")
            guard let (epoch, lastSeq, prunedThrough) = try rows.first?.decode((String, Int64, Int64).self) else {
                return nil
            }
            return ArchivedConversation(
                conversation: conversation, epoch: epoch, lastSeq: lastSeq, prunedThrough: prunedThrough)
        }
    }

    package func directConversations(of user: String) async throws -> [Conversation] {
        try await guarded {
            let rows = try await query(
                """
                SELECT user_a, user_b FROM conversations WHERE kind = 'dm' AND (user_a = \(user) OR user_b = \(user))
                ORDER BY key COLLATE "C"
                """)
            return try rows.map { row in
                let (a, b) = try row.decode((String, String).self)
                return Conversation.direct(a, b)
            }
        }
    }

    package func roomMessages(
        sentBy user: String, afterKey: String, afterSeq: Int64, limit: Int
    ) async throws
        -> [StoredMessage]
    {
        try await guarded {
            try Self.messages(
                await query(
                    """
                    SELECT \(unescaped: Self.messageColumns) FROM messages
                    WHERE sender = \(user) AND conversation_key LIKE 'room:%'
                        AND (conversation_key COLLATE "C", seq) > (\(afterKey), \(afterSeq))
                    ORDER BY conversation_key COLLATE "C", seq LIMIT \(limit)
                    """))
        }
    }

    package func restoreConversation(_ archived: ArchivedConversation) async throws {
        guard let conversation = archived.conversation else {
            throw ArchiveError("unknown conversation kind `\(archived.kind)`")
        }
        let (userA, userB) = conversation.storageParties
        let stored: Int64? = try await guarded {
            try await transaction { connection in
                let existing = try await connection.checkedQuery(
                    "SELECT last_seq FROM conversations WHERE key = \(conversation.key) FOR UPDATE", logger: self.logger
                ).first?.decode(Int64.self)
                if let existing, existing > 0 { return existing }
                try await connection.checkedQuery(
                    """
                    INSERT INTO conversations (key, kind, room, user_a, user_b, epoch, last_seq, pruned_through, created_at)
                    VALUES (\(conversation.key), \(conversation.storageKind), \(conversation.storageRoom), \(userA), \(userB),
                        \(archived.epoch), \(archived.lastSeq), \(archived.prunedThrough), \(ChatClock.wallMillis()))
                    ON CONFLICT (key) DO UPDATE SET epoch = excluded.epoch, last_seq = excluded.last_seq,
                        pruned_through = excluded.pruned_through
                    """, logger: self.logger)
                return nil
            }
        }
        if let stored {
            throw ArchiveError(
                "\(conversation.key) already has \(stored) messages here; import into a store without it")
        }
    }

    package func restoreMessages(_ messages: [StoredMessage]) async throws {
        guard !messages.isEmpty else { return }
        // One statement per batch: the rows as a JSON array, which carries the NULLs of the
        // optional columns that typed arrays here cannot.
        let rows = messages.map { message in
            RestoredRow(
                conversationKey: message.conversationKey, seq: message.seq, id: message.id, sender: message.from,
                clientID: message.clientID, text: message.text, createdAt: message.timestamp,
                event: message.event?.storedJSON, updateJSON: message.update?.storedJSON,
                replyQuote: message.replyTo?.storedJSON, editedAt: message.editedAt, deletedBy: message.deletedBy,
                reactions: message.reactions.isEmpty ? nil : message.reactions.storedJSON,
                mentions: SQLiteMessageStore.namesJSON(message.mentions), attachments: message.attachments.storedJSON,
                replyTo: message.replyTo?.seq,
                updateSeq: message.update?.seq,
                searchText: message.event == nil ? SearchTextNormalizer.indexText(message.text) : nil)
        }
        let json = String(decoding: try JSONEncoder().encode(rows), as: UTF8.self)
        try await guarded {
            try await transaction { connection in
                _ = try await connection.checkedQuery(
                    """
                    INSERT INTO messages (\(unescaped: Self.messageColumns), reply_to, update_seq, search_text)
                    SELECT \(unescaped: Self.messageColumns), reply_to, update_seq, search_text
                    FROM json_to_recordset(\(json)::json) AS r(
                        conversation_key text, seq bigint, id text, sender text, client_id text, text text, created_at bigint,
                        event text, update_json text, reply_quote text, edited_at bigint, deleted_by text, reactions text,
                        mentions text, attachments text, reply_to bigint, update_seq bigint, search_text text)
                    """, logger: self.logger)
            }
        }
    }
}

/// One message row as `restoreMessages` sends it to `json_to_recordset` (keys in snake case:
/// the column names).
private struct RestoredRow: Encodable {
    var conversationKey: String
    var seq: Int64
    var id: String
    var sender: String
    var clientID: String
    var text: String
    var createdAt: Int64
    var event: String?
    var updateJSON: String?
    var replyQuote: String?
    var editedAt: Int64?
    var deletedBy: String?
    var reactions: String?
    var mentions: String?
    /// The files' descriptions, not their references: the bytes are not in the archive.
    var attachments: String?
    var replyTo: Int64?
    var updateSeq: Int64?
    /// `SearchTextNormalizer.indexText` of `text` (migration 12); nil for a room event.
    var searchText: String?

    enum CodingKeys: String, CodingKey {
        case conversationKey = "conversation_key"
        case seq, id, sender
        case clientID = "client_id"
        case text
        case createdAt = "created_at"
        case event
        case updateJSON = "update_json"
        case replyQuote = "reply_quote"
        case editedAt = "edited_at"
        case deletedBy = "deleted_by"
        case reactions, mentions, attachments
        case replyTo = "reply_to"
        case updateSeq = "update_seq"
        case searchText = "search_text"
    }
}
