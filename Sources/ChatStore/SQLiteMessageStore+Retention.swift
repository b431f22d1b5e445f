package import ChatCore
import GRDB

/// `MessageRetention` on SQLite: each batch is one write transaction that reads at most `limit`
/// rows by the primary key from the conversation's pruned-through mark, deletes the old prefix
/// of them (the FTS5 delete trigger drops their search rows), and moves the mark.
extension SQLiteMessageStore: MessageRetention {
    package func retentionScopes(after key: String?, limit: Int) async throws -> [RetentionScope] {
        try await guarded {
            try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT c.kind, c.room, c.user_a, c.user_b, r.retention_days FROM conversations c
                        LEFT JOIN rooms r ON c.kind = 'room' AND r.name_key = lower(c.room)
                        WHERE c.key > ? ORDER BY c.key LIMIT ?
                        """,
                    arguments: [key ?? "", limit]
                ).compactMap { row in
                    Conversation.stored(
                        kind: row["kind"], room: row["room"], userA: row["user_a"], userB: row["user_b"]
                    ).map {
                        RetentionScope(conversation: $0, roomRetentionDays: row["retention_days"])
                    }
                }
            }
        }
    }

    package func pruneOldest(of conversation: Conversation, before cutoff: Int64, limit: Int) async throws -> Int {
        guard limit > 0 else { return 0 }
        let key = conversation.key
        return try await guarded {
            try await pool.write { db in
                guard
                    let prunedThrough = try Int64.fetchOne(
                        db, sql: "SELECT pruned_through FROM conversations WHERE key = ?", arguments: [key])
                else { return 0 }
                let oldest = try Row.fetchAll(
                    db,
                    sql:
                        "SELECT seq, created_at FROM messages WHERE conversation_key = ? AND seq > ? ORDER BY seq LIMIT ?",
                    arguments: [key, prunedThrough, limit])
                let old = oldest.prefix { ($0["created_at"] as Int64) < cutoff }
                guard let newestOld = old.last else { return 0 }
                let through: Int64 = newestOld["seq"]
                try db.execute(
                    sql: "DELETE FROM messages WHERE conversation_key = ? AND seq > ? AND seq <= ?",
                    arguments: [key, prunedThrough, through])
                // What other messages carry of the pruned ones leaves with them: quoted text
                // and the texts of their edits (as after a delete).
                try db.execute(
                    sql: """
                        UPDATE messages SET reply_quote = json_set(reply_quote, '$.text', '')
                        WHERE conversation_key = ? AND reply_to > ? AND reply_to <= ? AND reply_quote IS NOT NULL
                        """,
                    arguments: [key, prunedThrough, through])
                try db.execute(
                    sql: """
                        UPDATE messages SET update_json = '{"action":"edit","seq":' || update_seq || '}'
                        WHERE conversation_key = ? AND update_seq > ? AND update_seq <= ? AND update_json LIKE ?
                        """,
                    arguments: [key, prunedThrough, through, #"{"action":"edit"%"#])
                // Their attachments are no longer referenced by them (the collector may take an
                // upload nothing else carries), and the texts their edits replaced leave the
                // moderation log.
                try db.execute(
                    sql: "DELETE FROM message_attachments WHERE conversation_key = ? AND seq > ? AND seq <= ?",
                    arguments: [key, prunedThrough, through])
                if case .room(let room) = conversation {
                    try db.execute(
                        sql:
                            "UPDATE moderation_log SET detail = '' WHERE room_key = ? AND action = ? AND seq > ? AND seq <= ?",
                        arguments: [Room.key(for: room), ModerationAction.edit.rawValue, prunedThrough, through])
                }
                try db.execute(
                    sql: "UPDATE conversations SET pruned_through = MAX(pruned_through, ?) WHERE key = ?",
                    arguments: [through, key])
                return old.count
            }
        }
    }

    package func prunePreview(before cutoff: Int64, room: String?) async throws -> [PrunePreview] {
        try await guarded {
            try await pool.read { db in
                // A prefix: up to the first message at or after the cutoff (or all of them).
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT c.kind, c.room, c.user_a, c.user_b, COUNT(m.seq) AS count, MAX(m.seq) AS through
                        FROM conversations c
                        JOIN messages m ON m.conversation_key = c.key AND m.seq > c.pruned_through
                            AND m.seq < COALESCE(
                                (SELECT MIN(n.seq) FROM messages n WHERE n.conversation_key = c.key AND n.created_at >= :cutoff),
                                c.last_seq + 1)
                        WHERE :room IS NULL OR (c.kind = 'room' AND lower(c.room) = lower(:room))
                        GROUP BY c.key ORDER BY c.key
                        """,
                    arguments: ["cutoff": cutoff, "room": room]
                ).compactMap { row in
                    Conversation.stored(
                        kind: row["kind"], room: row["room"], userA: row["user_a"], userB: row["user_b"]
                    ).map {
                        PrunePreview(conversation: $0, count: row["count"], throughSeq: row["through"])
                    }
                }
            }
        }
    }

    package func roomRetention(of name: String) async throws -> Int? {
        try await guarded {
            try await pool.read { db in
                _ = try Self.requireRoom(db, name)
                return try Int.fetchOne(
                    db, sql: "SELECT retention_days FROM rooms WHERE name_key = ?", arguments: [Room.key(for: name)])
            }
        }
    }

    package func setRoomRetention(_ days: Int?, of name: String, by actor: RoomActor, now: Int64) async throws {
        try await guarded {
            try await pool.write { db in
                let room = try Self.requireRoom(db, name)
                try RoomPolicy.authorizeRetention(try Self.actorFacts(db, actor, name))
                let current = try Int.fetchOne(
                    db, sql: "SELECT retention_days FROM rooms WHERE name_key = ?", arguments: [Room.key(for: name)])
                guard current != days else { return }
                try db.execute(
                    sql: "UPDATE rooms SET retention_days = ? WHERE name_key = ?",
                    arguments: [days, Room.key(for: name)])
                try Self.log(
                    db, room, .retention, actor.name, target: nil, detail: days.map { "\($0)" } ?? "default", now: now)
            }
        }
    }

}
