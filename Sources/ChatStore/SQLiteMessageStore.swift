package import ChatCore
import Foundation
import GRDB

/// A `MessageStore` and `AccountStore` in one SQLite file: the embedded default.
///
/// One file next to the server holds history, read positions and accounts; nothing to install.
/// The file is opened in WAL mode (through a GRDB `DatabasePool`), so readers never wait for the
/// writer and a crash loses nothing that was acknowledged. Writes are serialised by SQLite, so a
/// `seq` taken with `UPDATE … SET last_seq = last_seq + 1 RETURNING last_seq` inside the append's
/// transaction is gap-free even with several processes on the same file.
///
/// All database work runs on GRDB's own threads, never on the event loop or the cooperative pool.
package final class SQLiteMessageStore: MessageStore, AccountStore {
    let pool: DatabasePool
    /// Concurrent appends share a transaction.
    let appends: GroupCommit
    /// The file the store lives in.
    package let path: String

    /// Opens (creating if needed) the database at `path` and applies any pending migration.
    ///
    /// - Parameters:
    ///   - path: the database file; its directory must exist.
    ///   - busyTimeout: how long a write waits for another process holding the file.
    package init(path: String, busyTimeout: Duration = .seconds(5)) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(Double(busyTimeout.wholeMilliseconds) / 1_000)
        configuration.foreignKeysEnabled = true
        configuration.label = "rabbitchat"
        self.path = path
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            try pool.writeWithoutTransaction { db in try Self.migrate(db) }
            self.pool = pool
            self.appends = GroupCommit { drafts in try await Self.appendBatch(drafts, pool: pool) }
        } catch {
            throw StoreError(.unavailable, "cannot open the SQLite database at \(path): \(error)")
        }
    }

    /// The versions in `schema_migrations`, ascending: what the file's schema is at.
    package func appliedMigrations() async throws -> [Int] {
        try await guarded {
            try await self.pool.read { db in
                try Int.fetchAll(db, sql: "SELECT version FROM schema_migrations ORDER BY version")
            }
        }
    }

    static func migrate(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    applied_at INTEGER NOT NULL
                )
                """)
        for migration in SQLiteSchema.migrations {
            try db.inTransaction(.immediate) {
                let applied =
                    try Bool.fetchOne(
                        db, sql: "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?)",
                        arguments: [migration.version]) ?? false
                guard !applied else { return .commit }
                for statement in migration.statements {
                    try db.execute(sql: statement)
                }
                switch migration.backfill {
                case .searchText: try Self.backfillSearchText(db)
                case nil: break
                }
                for statement in migration.finally {
                    try db.execute(sql: statement)
                }
                try db.execute(
                    sql: "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    arguments: [migration.version, migration.name, ChatClock.wallMillis()])
                return .commit
            }
        }
    }

    /// Sets `search_text` of every stored chat message (migration 12), a batch of rows at a time
    /// in key order, so a big file is never read into memory at once.
    static func backfillSearchText(_ db: Database) throws {
        let update = try db.makeStatement(
            sql: "UPDATE messages SET search_text = ? WHERE conversation_key = ? AND seq = ?")
        var after: (key: String, seq: Int64) = ("", Int64.min)
        while true {
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT conversation_key, seq, text FROM messages
                    WHERE event IS NULL AND (conversation_key, seq) > (?, ?)
                    ORDER BY conversation_key, seq LIMIT 10000
                    """, arguments: [after.key, after.seq])
            guard let last = rows.last else { return }
            for row in rows {
                let text: String = row["text"]
                try update.execute(arguments: [
                    SearchTextNormalizer.indexText(text), row["conversation_key"], row["seq"],
                ])
            }
            after = (last["conversation_key"], last["seq"])
        }
    }

    /// Runs `body`, turning every failure other than a `StoreError` into `StoreError.unavailable`
    /// so the hub tells the client to retry rather than reporting an internal error.
    func guarded<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as StoreError {
            throw error
        } catch let error as AccountStoreError {
            throw error
        } catch let error as RoomStoreError {
            throw error
        } catch let error as BotStoreError {
            throw error
        } catch {
            throw StoreError(.unavailable, "SQLite: \(error)")
        }
    }

    static func ensureConversation(_ db: Database, _ conversation: Conversation) throws {
        let (userA, userB) = conversation.storageParties
        try db.cachedStatement(
            sql: """
                INSERT INTO conversations (key, kind, room, user_a, user_b, epoch, last_seq, created_at)
                VALUES (?, ?, ?, ?, ?, ?, 0, ?) ON CONFLICT (key) DO NOTHING
                """
        ).execute(
            arguments: [
                conversation.key, conversation.storageKind, conversation.storageRoom, userA, userB,
                Conversation.newEpoch(), ChatClock.wallMillis(),
            ])
    }

    static let messageColumns =
        "conversation_key, seq, id, sender, client_id, text, created_at, event, update_json, reply_quote, edited_at, deleted_by, reactions, mentions, attachments"

    static func message(_ row: Row) -> StoredMessage {
        let event: String? = row["event"]
        let update: String? = row["update_json"]
        let quote: String? = row["reply_quote"]
        return StoredMessage(
            id: row["id"], conversationKey: row["conversation_key"], seq: row["seq"], from: row["sender"],
            text: row["text"], timestamp: row["created_at"], clientID: row["client_id"],
            // A row this version cannot read (written by a newer one) stays a plain message.
            event: event.flatMap { try? RoomEvent(storedJSON: $0) },
            update: update.flatMap { try? MessageUpdate(storedJSON: $0) },
            replyTo: quote.flatMap { try? MessageQuote(storedJSON: $0) }, editedAt: row["edited_at"],
            deletedBy: row["deleted_by"], reactions: MessageReactions(storedJSON: row["reactions"]),
            mentions: Self.names(row["mentions"]), attachments: [MessageAttachment](storedJSON: row["attachments"]))
    }

    /// A stored list of names (`mentions`): JSON strings, read back; an unreadable one is empty.
    static func names(_ json: String?) -> [String] {
        guard let json, let names = try? JSONDecoder().decode([String].self, from: Data(json.utf8)) else { return [] }
        return names
    }

    /// The stored form of a list of names; nil for none.
    static func namesJSON(_ names: [String]) -> String? {
        guard !names.isEmpty, let data = try? JSONEncoder().encode(names) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The message `seq` of conversation `key`, if stored.
    static func message(_ db: Database, key: String, seq: Int64) throws -> StoredMessage? {
        try Row.fetchOne(
            db, sql: "SELECT \(messageColumns) FROM messages WHERE conversation_key = ? AND seq = ?",
            arguments: [key, seq]
        ).map(message)
    }

    /// Applies `draft`'s update to its target (and, after a delete, empties the quotes of it);
    /// returns the quote of the message `draft` answers.
    static func applyLifecycle(_ draft: MessageDraft, _ db: Database) throws -> MessageQuote? {
        let key = draft.conversation.key
        var quote: MessageQuote?
        if let replyTo = draft.replyTo {
            guard let original = try message(db, key: key, seq: replyTo) else {
                throw StoreError(.noSuchMessage, "seq \(replyTo) is no message of this conversation")
            }
            quote = try MessageLifecycle.quote(of: original)
        }
        guard let update = draft.update else { return quote }
        guard let target = try message(db, key: key, seq: update.seq) else {
            throw StoreError(.noSuchMessage, "seq \(update.seq) is no message of this conversation")
        }
        guard let changed = try MessageLifecycle.apply(draft, to: target) else { return quote }
        if update.action == .edit, case .room(let room) = draft.conversation {
            // Moderators see what an edit replaced; clients never do.
            try db.execute(
                sql: """
                    INSERT INTO moderation_log (room_key, room_name, action, actor, target, detail, created_at, seq)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    Room.key(for: room), room, ModerationAction.edit.rawValue, draft.from, target.from, target.text,
                    draft.timestamp, target.seq,
                ])
        }
        try db.execute(
            sql: """
                UPDATE messages SET text = ?, search_text = ?, edited_at = ?, deleted_by = ?, reactions = ?,
                    reply_quote = ?
                WHERE conversation_key = ? AND seq = ?
                """,
            arguments: [
                changed.text, SearchTextNormalizer.indexText(changed.text), changed.editedAt, changed.deletedBy,
                changed.reactions.isEmpty ? nil : changed.reactions.storedJSON, changed.replyTo?.storedJSON, key,
                changed.seq,
            ])
        if changed.deletedBy != nil {
            try db.execute(
                sql: "UPDATE messages SET attachments = NULL WHERE conversation_key = ? AND seq = ?",
                arguments: [key, changed.seq])
            try db.execute(
                sql: "DELETE FROM message_attachments WHERE conversation_key = ? AND seq = ?",
                arguments: [key, changed.seq])
            // Deleted text leaves the store: quotes of it too.
            let emptied = MessageQuote(seq: changed.seq, from: changed.from, text: "").storedJSON
            try db.execute(
                sql: "UPDATE messages SET reply_quote = ? WHERE conversation_key = ? AND reply_to = ?",
                arguments: [emptied, key, changed.seq])
            // And the texts its edits carried, and those the moderation log kept.
            try db.execute(
                sql:
                    "UPDATE messages SET update_json = ? WHERE conversation_key = ? AND update_seq = ? AND update_json LIKE ?",
                arguments: [MessageUpdate(.edit, seq: changed.seq).storedJSON, key, changed.seq, #"{"action":"edit"%"#])
            if case .room(let room) = draft.conversation {
                try db.execute(
                    sql: "UPDATE moderation_log SET detail = '' WHERE room_key = ? AND action = ? AND seq = ?",
                    arguments: [Room.key(for: room), ModerationAction.edit.rawValue, changed.seq])
            }
        }
        return quote
    }

    // MARK: MessageStore

    package func append(_ draft: MessageDraft) async throws -> AppendResult {
        try await guarded { try await appends.append(draft) }
    }

    /// Writes a batch of appends in one transaction (`GroupCommit`): one commit, one fsync.
    ///
    /// Every statement of an append is a cached prepared statement: parsing and authorizing
    /// the SQL anew for each message (GRDB's `execute(sql:)`) was most of an append's CPU in a
    /// profile of the echo benchmark.
    static func appendBatch(_ drafts: [MessageDraft], pool: DatabasePool) async throws -> [GroupCommit.Outcome] {
        try await pool.write { db in
            try drafts.map { draft in
                // A savepoint each: a draft that fails leaves no half-written row (or seq) behind.
                try db.cachedStatement(sql: "SAVEPOINT append").execute()
                do {
                    let result = try Self.append(draft, db)
                    try db.cachedStatement(sql: "RELEASE SAVEPOINT append").execute()
                    return .success(result)
                } catch {
                    try db.cachedStatement(sql: "ROLLBACK TO SAVEPOINT append").execute()
                    try db.cachedStatement(sql: "RELEASE SAVEPOINT append").execute()
                    return .failure(error)
                }
            }
        }
    }

    /// An earlier message with the same `(sender, client_id)`: a retried send.
    static let appendLookupSQL = "SELECT \(messageColumns) FROM messages WHERE sender = ? AND client_id = ?"
    static let appendInsertSQL = """
        INSERT INTO messages (\(messageColumns), reply_to, update_seq, search_text)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, ?, ?, ?, ?, ?)
        """

    static func append(_ draft: MessageDraft, _ db: Database) throws -> AppendResult {
        let key = draft.conversation.key
        if let row = try Row.fetchOne(
            db.cachedStatement(sql: Self.appendLookupSQL),
            arguments: [draft.from, draft.clientID])
        {
            let previous = Self.message(row)
            guard MessageLifecycle.isSameRequest(draft, as: previous) else {
                throw StoreError(.clientIDConflict, "cid \(draft.clientID) was used for another message")
            }
            return AppendResult(message: previous, duplicate: true)
        }
        let quote = try Self.applyLifecycle(draft, db)
        let nextSeq = try db.cachedStatement(
            sql: "UPDATE conversations SET last_seq = last_seq + 1 WHERE key = ? RETURNING last_seq")
        // The conversation's row exists but for its first message: insert it only then.
        var seq = try Int64.fetchOne(nextSeq, arguments: [key])
        if seq == nil {
            try Self.ensureConversation(db, draft.conversation)
            seq = try Int64.fetchOne(nextSeq, arguments: [key])
        }
        guard let seq else {
            throw StoreError(.unavailable, "conversation \(key) vanished during append")
        }
        var message = StoredMessage(
            id: UUID().uuidString.lowercased(), conversationKey: key, seq: seq, from: draft.from,
            text: draft.text, timestamp: draft.timestamp, clientID: draft.clientID, event: draft.event,
            update: draft.update, replyTo: quote)
        message.mentions = draft.mentions
        message.attachments = draft.attachments
        try db.cachedStatement(sql: Self.appendInsertSQL).execute(
            arguments: [
                key, seq, message.id, message.from, message.clientID, message.text, message.timestamp,
                message.event?.storedJSON, message.update?.storedJSON, message.replyTo?.storedJSON,
                Self.namesJSON(draft.mentions), draft.attachments.storedJSON, draft.replyTo, draft.update?.seq,
                message.event == nil ? SearchTextNormalizer.indexText(message.text) : nil,
            ])
        try Self.recordAttachments(draft.attachments, key: key, seq: seq, db)
        return AppendResult(message: message, duplicate: false)
    }

    package func state(of conversation: Conversation) async throws -> ConversationState {
        try await guarded {
            // A join reads; only the first join of a new conversation writes (it fixes the
            // epoch). A write per join serialised every join behind every append and commit.
            if let state = try await pool.read({ db in try Self.state(db, conversation) }) { return state }
            return try await pool.write { db in
                try Self.ensureConversation(db, conversation)
                guard let state = try Self.state(db, conversation) else {
                    throw StoreError(.unavailable, "conversation \(conversation.key) vanished")
                }
                return state
            }
        }
    }

    static func state(_ db: Database, _ conversation: Conversation) throws -> ConversationState? {
        let row = try Row.fetchOne(
            db,
            sql: """
                SELECT epoch, last_seq, pruned_through + 1 AS first_seq FROM conversations WHERE key = ?
                """,
            arguments: [conversation.key])
        return row.map {
            ConversationState(epoch: $0["epoch"], lastSeq: $0["last_seq"], firstAvailableSeq: $0["first_seq"])
        }
    }

    package func messages(in conversation: Conversation, after seq: Int64, limit: Int) async throws -> [StoredMessage] {
        guard limit > 0 else { return [] }
        return try await guarded {
            try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT \(Self.messageColumns) FROM messages
                        WHERE conversation_key = ? AND seq > ? ORDER BY seq LIMIT ?
                        """,
                    arguments: [conversation.key, seq, limit]
                ).map(Self.message)
            }
        }
    }

    package func messages(in conversation: Conversation, before seq: Int64?, limit: Int) async throws -> [StoredMessage]
    {
        guard limit > 0 else { return [] }
        return try await guarded {
            try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT \(Self.messageColumns) FROM messages
                        WHERE conversation_key = ? AND seq < ? ORDER BY seq DESC LIMIT ?
                        """,
                    arguments: [conversation.key, seq ?? Int64.max, limit]
                ).map(Self.message)
            }
        }
    }

    package func readPositions(in conversation: Conversation, limit: Int) async throws -> [String: Int64] {
        try await guarded {
            try await pool.read { db in
                let rows = try Row.fetchAll(
                    db,
                    sql:
                        "SELECT user_name, seq FROM read_positions WHERE conversation_key = ? ORDER BY updated_at DESC LIMIT ?",
                    arguments: [conversation.key, limit])
                return Dictionary(rows.map { ($0["user_name"], $0["seq"]) }, uniquingKeysWith: { first, _ in first })
            }
        }
    }

    package func markRead(user: String, in conversation: Conversation, upTo seq: Int64) async throws -> Int64 {
        try await guarded {
            try await pool.write { db in
                try Int64.fetchOne(
                    db,
                    sql: """
                        INSERT INTO read_positions (conversation_key, user_name, seq, updated_at) VALUES (?, ?, ?, ?)
                        ON CONFLICT (conversation_key, user_name)
                        DO UPDATE SET seq = MAX(seq, excluded.seq), updated_at = excluded.updated_at
                        RETURNING seq
                        """,
                    arguments: [conversation.key, user, max(seq, 0), ChatClock.wallMillis()]) ?? max(seq, 0)
            }
        }
    }

    package func readPosition(of user: String, in conversation: Conversation) async throws -> Int64 {
        try await guarded {
            try await pool.read { db in
                try Int64.fetchOne(
                    db, sql: "SELECT seq FROM read_positions WHERE conversation_key = ? AND user_name = ?",
                    arguments: [conversation.key, user]) ?? 0
            }
        }
    }

    package func unreadDirectConversations(of user: String) async throws -> [UnreadConversation] {
        try await guarded {
            try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT c.user_a, c.user_b, c.last_seq, COALESCE(r.seq, 0) AS read_seq,
                            (SELECT COUNT(*) FROM messages m
                             WHERE m.conversation_key = c.key AND m.seq > COALESCE(r.seq, 0) AND m.sender <> :user) AS unread
                        FROM conversations c
                        LEFT JOIN read_positions r ON r.conversation_key = c.key AND r.user_name = :user
                        WHERE c.kind = 'dm' AND (c.user_a = :user OR c.user_b = :user) AND c.last_seq > COALESCE(r.seq, 0)
                        """,
                    arguments: ["user": user]
                ).compactMap { row -> UnreadConversation? in
                    let count: Int64 = row["unread"]
                    guard count > 0 else { return nil }
                    let a: String = row["user_a"]
                    let b: String = row["user_b"]
                    return UnreadConversation(
                        peer: a == user ? b : a, count: count, lastSeq: row["last_seq"], readSeq: row["read_seq"])
                }
                .sorted { $0.peer < $1.peer }
            }
        }
    }
}
