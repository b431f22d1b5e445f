import ChatCore
import PostgresNIO

extension PostgresMessageStore: MessageImport {
    package func importMessages(_ batch: [ImportedMessage]) async throws {
        var newest: [String: (Conversation, Int64)] = [:]
        for item in batch {
            let key = item.conversation.key
            newest[key] = (item.conversation, max(newest[key]?.1 ?? 0, item.message.seq))
        }
        let messages = batch.map(\.message)
        let keys = messages.map(\.conversationKey)
        let seqs = messages.map(\.seq)
        let ids = messages.map(\.id)
        let senders = messages.map(\.from)
        let clientIDs = messages.map(\.clientID)
        let texts = messages.map(\.text)
        let times = messages.map(\.timestamp)
        let searchTexts = messages.map { SearchTextNormalizer.indexText($0.text) }
        try await guarded {
            try await transaction { connection in
                for (conversation, _) in newest.values { try await self.ensureConversation(connection, conversation) }
                try await connection.checkedQuery(
                    """
                    INSERT INTO messages (conversation_key, seq, id, sender, client_id, text, created_at, search_text)
                    SELECT * FROM unnest(\(keys)::text[], \(seqs)::bigint[], \(ids)::text[], \(senders)::text[],
                        \(clientIDs)::text[], \(texts)::text[], \(times)::bigint[], \(searchTexts)::text[])
                    """, logger: self.logger)
                let conversationKeys = Array(newest.keys)
                let lastSeqs = conversationKeys.map { newest[$0]!.1 }
                try await connection.checkedQuery(
                    """
                    UPDATE conversations c SET last_seq = GREATEST(c.last_seq, n.seq)
                    FROM unnest(\(conversationKeys)::text[], \(lastSeqs)::bigint[]) AS n(key, seq) WHERE c.key = n.key
                    """, logger: self.logger)
            }
        }
    }

    package func messageCount() async throws -> Int {
        try await guarded { try await self.query("SELECT COUNT(*) FROM messages").first?.decode(Int.self) ?? 0 }
    }

    package func analyze() async throws {
        try await guarded {
            _ = try await self.query("ANALYZE messages")
            _ = try await self.query("ANALYZE conversations")
        }
    }
}
