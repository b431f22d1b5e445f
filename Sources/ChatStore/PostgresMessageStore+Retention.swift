package import ChatCore
import PostgresNIO

/// `MessageRetention` on PostgreSQL: each batch is one transaction that reads at most `limit`
/// rows by the primary key from the conversation's pruned-through mark, deletes the old prefix
/// of them (their `tsvector` goes with the row), and moves the mark last, so the conversation's
/// row (which every append locks) is held only from that update to the commit.
extension PostgresMessageStore: MessageRetention {
    package func retentionScopes(after key: String?, limit: Int) async throws -> [RetentionScope] {
        try await guarded {
            let rows = try await query(
                """
                SELECT c.kind, c.room, c.user_a, c.user_b, r.retention_days FROM conversations c
                LEFT JOIN rooms r ON c.kind = 'room' AND r.name_key = lower(c.room)
                WHERE c.key COLLATE "C" > \(key ?? "") ORDER BY c.key COLLATE "C" LIMIT \(limit)
                """)
            var scopes: [RetentionScope] = []
            for row in rows {
                let (kind, room, userA, userB, days) = try row.decode((String, String?, String?, String?, Int?).self)
                if let conversation = Conversation.stored(kind: kind, room: room, userA: userA, userB: userB) {
                    scopes.append(RetentionScope(conversation: conversation, roomRetentionDays: days))
                }
            }
            return scopes
        }
    }

    package func pruneOldest(of conversation: Conversation, before cutoff: Int64, limit: Int) async throws -> Int {
        guard limit > 0 else { return 0 }
        let key = conversation.key
        return try await guarded {
            try await transaction { connection in
                guard
                    let prunedThrough = try await connection.checkedQuery(
                        "SELECT pruned_through FROM conversations WHERE key = \(key)", logger: self.logger
                    ).first?.decode(Int64.self)
                else { return 0 }
                let rows = try await connection.checkedQuery(
                    """
                    SELECT seq, created_at FROM messages WHERE conversation_key = \(key) AND seq > \(prunedThrough)
                    ORDER BY seq LIMIT \(limit)
                    """, logger: self.logger)
                var count = 0
                var through = prunedThrough
                for row in rows {
                    let (seq, createdAt) = try row.decode((Int64, Int64).self)
                    guard createdAt < cutoff else { break }
                    count += 1
                    through = seq
                }
                guard count > 0 else { return 0 }
                try await connection.checkedQuery(
                    """
                    DELETE FROM messages WHERE conversation_key = \(key) AND seq > \(prunedThrough) AND seq <= \(through)
                    """, logger: self.logger)
                // What other messages carry of the pruned ones leaves with them: quoted text
                // and the texts of their edits (as after a delete).
                try await connection.checkedQuery(
                    """
                    UPDATE messages SET reply_quote = jsonb_set(reply_quote::jsonb, '{text}', '""')::text
                    WHERE conversation_key = \(key) AND reply_to > \(prunedThrough) AND reply_to <= \(through)
                        AND reply_quote IS NOT NULL
                    """, logger: self.logger)
                let editPattern = #"{"action":"edit"%"#
                try await connection.checkedQuery(
                    """
                    UPDATE messages SET update_json = '{"action":"edit","seq":' || update_seq || '}'
                    WHERE conversation_key = \(key) AND update_seq > \(prunedThrough) AND update_seq <= \(through)
                        AND update_json LIKE \(editPattern)
                    """, logger: self.logger)
                // Their attachments are no longer referenced by them (the collector may take an
                // upload nothing else carries), and the texts their edits replaced leave the
                // moderation log.
                try await connection.checkedQuery(
                    """
                    DELETE FROM message_attachments
                    WHERE conversation_key = \(key) AND seq > \(prunedThrough) AND seq <= \(through)
                    """, logger: self.logger)
                if case .room(let room) = conversation {
                    try await connection.checkedQuery(
                        """
                        UPDATE moderation_log SET detail = ''
                        WHERE room_key = \(Room.key(for: room)) AND action = \(ModerationAction.edit.rawValue)
                            AND seq > \(prunedThrough) AND seq <= \(through)
                        """, logger: self.logger)
                }
                try await connection.checkedQuery(
                    """
                    UPDATE conversations SET pruned_through = GREATEST(pruned_through, \(through)) WHERE key = \(key)
                    """, logger: self.logger)
                return count
            }
        }
    }

    package func prunePreview(before cutoff: Int64, room: String?) async throws -> [PrunePreview] {
        try await guarded {
            // A prefix: up to the first message at or after the cutoff (or all of them).
            let rows = try await query(
                """
                SELECT c.kind, c.room, c.user_a, c.user_b, COUNT(m.seq), MAX(m.seq)
                FROM conversations c
                JOIN messages m ON m.conversation_key = c.key AND m.seq > c.pruned_through
                    AND m.seq < COALESCE(
                        (SELECT MIN(n.seq) FROM messages n WHERE n.conversation_key = c.key AND n.created_at >= \(cutoff)),
                        c.last_seq + 1)
                WHERE \(room)::text IS NULL OR (c.kind = 'room' AND lower(c.room) = lower(\(room)))
                GROUP BY c.key ORDER BY c.key COLLATE "C"
                """)
            var previews: [PrunePreview] = []
            for row in rows {
                let (kind, name, userA, userB, count, through) = try row.decode(
                    (String, String?, String?, String?, Int64, Int64).self)
                if let conversation = Conversation.stored(kind: kind, room: name, userA: userA, userB: userB) {
                    previews.append(PrunePreview(conversation: conversation, count: count, throughSeq: through))
                }
            }
            return previews
        }
    }

    package func roomRetention(of name: String) async throws -> Int? {
        try await guarded {
            let rows = try await query("SELECT retention_days FROM rooms WHERE name_key = \(Room.key(for: name))")
            guard let row = rows.first else { throw RoomStoreError(.noSuchRoom, "no room `\(name)`") }
            return try row.decode(Int?.self)
        }
    }

    package func setRoomRetention(_ days: Int?, of name: String, by actor: RoomActor, now: Int64) async throws {
        try await guarded {
            try await transaction { connection in
                let room = try await self.requireRoom(connection, name)
                try RoomPolicy.authorizeRetention(try await self.actorFacts(connection, actor, name))
                let current = try await connection.checkedQuery(
                    "SELECT retention_days FROM rooms WHERE name_key = \(Room.key(for: name))", logger: self.logger
                ).first?.decode(Int?.self)
                guard current != days else { return }
                try await connection.checkedQuery(
                    "UPDATE rooms SET retention_days = \(days) WHERE name_key = \(Room.key(for: name))",
                    logger: self.logger)
                try await self.log(
                    connection, room, .retention, actor.name, target: nil, detail: days.map { "\($0)" } ?? "default",
                    now: now)
            }
        }
    }
}
