package import ChatCore
import Foundation
package import Logging
package import PostgresNIO
import ServiceLifecycle
import Synchronization

/// A `MessageStore` and `AccountStore` on PostgreSQL, for several nodes sharing one history.
///
/// Every node appends through a transaction that takes the conversation's row lock with
/// `UPDATE conversations SET last_seq = last_seq + 1 … RETURNING last_seq`, so `seq` stays
/// gap-free and unique however many nodes append to one conversation at once; a transaction
/// that fails rolls its increment back with it.
///
/// The store is a `Service`: its `run()` runs the `PostgresClient` (which must run inside the
/// service group), applies pending migrations, and lets queries through once they are done.
/// Queries that arrive earlier wait (bounded) for that.
package final class PostgresMessageStore: MessageStore, AccountStore, Service {
    /// Where the database is and how to reach it.
    package struct Configuration: Sendable {
        /// Host, port, credentials, database, TLS and pool size.
        package var client: PostgresClient.Configuration
        /// The schema the tables live in (created if missing); nil uses the role's default
        /// `search_path` (normally `public`). Tests use a fresh schema each for isolation.
        package var schema: String?
        /// How long `run()` keeps retrying the first migration while the server is unreachable.
        package var startupTimeout: Duration

        package init(
            client: PostgresClient.Configuration, schema: String? = nil, startupTimeout: Duration = .seconds(30)
        ) {
            self.client = client
            self.schema = schema
            self.startupTimeout = startupTimeout
        }
    }

    let client: PostgresClient
    let configuration: Configuration
    /// Concurrent appends share a transaction (set once in `init`).
    private var appends: GroupCommit { groupCommit.withLock { $0! } }
    private let groupCommit = Mutex<GroupCommit?>(nil)
    let logger: Logger
    let gate = ReadinessGate()

    /// - Parameters:
    ///   - configuration: the server and schema.
    ///   - logger: for the client's and the migrations' logs.
    /// - Throws: `StoreError` when the schema name is not `[a-z_][a-z0-9_]*` (at most 63 bytes).
    package init(configuration: Configuration, logger: Logger) throws {
        var clientConfiguration = configuration.client
        if let schema = configuration.schema {
            guard Self.isValidSchemaName(schema) else {
                throw StoreError(.unavailable, "schema `\(schema)` must be 1 to 63 characters of a-z, 0-9 and _")
            }
            clientConfiguration.options.additionalStartupParameters.append(("search_path", schema))
        }
        self.configuration = configuration
        self.logger = logger
        self.client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
        groupCommit.withLock {
            $0 = GroupCommit { [weak self] drafts in
                guard let self else { throw StoreError(.unavailable, "the PostgreSQL store was closed") }
                return try await self.appendBatch(drafts)
            }
        }
    }

    static func isValidSchemaName(_ name: String) -> Bool {
        let utf8 = Array(name.utf8)
        guard let first = utf8.first, utf8.count <= 63, first == UInt8(ascii: "_") || (97...122).contains(first) else {
            return false
        }
        return utf8.allSatisfy { $0 == UInt8(ascii: "_") || (97...122).contains($0) || (48...57).contains($0) }
    }

    /// Runs the client, migrates, then serves queries until graceful shutdown or cancellation.
    ///
    /// - Throws: when the migrations cannot be applied within `startupTimeout`; the service
    ///   group then stops the node rather than running without its history.
    package func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.client.run() }
            do {
                try await migrateWithRetry()
                gate.open()
            } catch {
                gate.fail(StoreError(.unavailable, "the PostgreSQL schema could not be prepared: \(error)"))
                group.cancelAll()
                throw error
            }
            // Stay up until the rest of the node has stopped using the database.
            try? await gracefulShutdown()
            group.cancelAll()
        }
    }

    func migrateWithRetry() async throws {
        let deadline = ContinuousClock.now + configuration.startupTimeout
        while true {
            do {
                try await migrate()
                return
            } catch let error as PSQLError where error.code != .server && ContinuousClock.now < deadline {
                logger.warning("PostgreSQL not reachable yet; retrying", metadata: ["error": "\(error.code)"])
                try await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Applies pending migrations in one transaction under an advisory lock of the schema, so
    /// nodes starting together on it neither race nor apply a step twice.
    func migrate() async throws {
        try await transaction { connection in
            // The schema's name, or the default schema's when none is configured.
            let scope = self.configuration.schema ?? ""
            try await connection.checkedQuery(
                """
                SELECT pg_advisory_xact_lock(\(PostgresSchema.migrationLockClass),
                    hashtext(CASE WHEN \(scope) = '' THEN coalesce(current_schema(), 'public') ELSE \(scope) END))
                """, logger: self.logger)
            if let schema = self.configuration.schema {
                try await connection.checkedQuery(
                    PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema)"), logger: self.logger)
            }
            try await connection.checkedQuery(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at BIGINT NOT NULL
                )
                """, logger: self.logger)
            var applied = Set<Int>()
            for row in try await connection.checkedQuery("SELECT version FROM schema_migrations", logger: self.logger) {
                applied.insert(try row.decode(Int.self))
            }
            for migration in PostgresSchema.migrations where !applied.contains(migration.version) {
                self.logger.notice(
                    "applying migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                for statement in migration.statements {
                    try await connection.checkedQuery(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                }
                switch migration.backfill {
                case .searchText: try await self.backfillSearchText(connection)
                case nil: break
                }
                for statement in migration.finally {
                    try await connection.checkedQuery(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                }
                try await connection.checkedQuery(
                    """
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (\(migration.version), \(migration.name), \(ChatClock.wallMillis()))
                    """, logger: self.logger)
            }
        }
    }

    /// Sets `search_text` of every stored chat message (migration 12), a batch of rows at a time
    /// in key order: each batch read, normalised in Swift, and written back in one statement.
    func backfillSearchText(_ connection: PostgresConnection) async throws {
        var after: (key: String, seq: Int64) = ("", Int64.min)
        while true {
            var keys: [String] = []
            var seqs: [Int64] = []
            var texts: [String] = []
            let rows = try await connection.checkedQuery(
                """
                SELECT conversation_key, seq, text FROM messages
                WHERE event IS NULL AND (conversation_key, seq) > (\(after.key), \(after.seq))
                ORDER BY conversation_key, seq LIMIT 10000
                """, logger: logger)
            for row in rows {
                let (key, seq, text) = try row.decode((String, Int64, String).self)
                keys.append(key)
                seqs.append(seq)
                texts.append(SearchTextNormalizer.indexText(text))
            }
            guard let lastKey = keys.last, let lastSeq = seqs.last else { return }
            try await connection.checkedQuery(
                """
                UPDATE messages m SET search_text = v.search_text
                FROM unnest(\(keys)::text[], \(seqs)::bigint[], \(texts)::text[]) AS v(conversation_key, seq, search_text)
                WHERE m.conversation_key = v.conversation_key AND m.seq = v.seq
                """, logger: logger)
            after = (lastKey, lastSeq)
        }
    }

    /// The versions in `schema_migrations`, ascending: what the database's schema is at.
    package func appliedMigrations() async throws -> [Int] {
        try await guarded {
            try await self.query("SELECT version FROM schema_migrations ORDER BY version").map {
                try $0.decode(Int.self)
            }
        }
    }

    /// Runs one statement on a pooled connection and collects its rows.
    ///
    /// Every query goes through `PostgresConnection.checkedQuery`, never the client's or the
    /// connection's own `query`, which can hang forever on a connection that just closed.
    func query(_ query: PostgresQuery) async throws -> PostgresQueryResult {
        try await client.withConnection { connection in try await connection.checkedQuery(query, logger: self.logger) }
    }

    /// Runs `body` in a transaction on one pooled connection; rolls back when it throws.
    ///
    /// A connection that died is not rolled back (the server already discarded the
    /// transaction); one that is alive but cannot roll back is closed, so the pool never hands
    /// out a connection in the middle of a transaction.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await connection.checkedQuery("BEGIN", logger: self.logger)
            do {
                let value = try await body(connection)
                try await connection.checkedQuery("COMMIT", logger: self.logger)
                return value
            } catch {
                if !connection.isClosed {
                    do {
                        try await connection.checkedQuery("ROLLBACK", logger: self.logger)
                    } catch {
                        try? await connection.close()
                    }
                }
                throw error
            }
        }
    }

    /// Waits until migrations are done, runs `body`, and turns every failure other than a
    /// `StoreError` or `AccountStoreError` into `StoreError.unavailable`.
    func guarded<T>(_ body: () async throws -> T) async throws -> T {
        do {
            try await gate.wait()
            return try await body()
        } catch let error as StoreError {
            throw error
        } catch let error as AccountStoreError {
            throw error
        } catch let error as RoomStoreError {
            throw error
        } catch let error as BotStoreError {
            throw error
        } catch let error as PSQLError {
            throw StoreError(
                .unavailable, "PostgreSQL: \(error.serverInfo?[.message] ?? "\(error.code)")")
        } catch {
            throw StoreError(.unavailable, "PostgreSQL: \(error)")
        }
    }

    static func isUniqueViolation(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == "23505"
    }

    static let messageColumns =
        "conversation_key, seq, id, sender, client_id, text, created_at, event, update_json, reply_quote, edited_at, deleted_by, reactions, mentions, attachments"

    static func messages(_ rows: PostgresQueryResult) throws -> [StoredMessage] {
        try rows.map { row in
            let (
                key, seq, id, sender, clientID, text, createdAt, event, update, quote, editedAt, deletedBy, reactions,
                mentions, attachments
            ) =
                try row.decode(
                    (
                        String, Int64, String, String, String, String, Int64, String?, String?, String?, Int64?,
                        String?,
                        String?, String?, String?
                    ).self)
            return StoredMessage(
                id: id, conversationKey: key, seq: seq, from: sender, text: text, timestamp: createdAt,
                clientID: clientID,
                // A row this version cannot read (written by a newer one) stays a plain message.
                event: event.flatMap { try? RoomEvent(storedJSON: $0) },
                update: update.flatMap { try? MessageUpdate(storedJSON: $0) },
                replyTo: quote.flatMap { try? MessageQuote(storedJSON: $0) }, editedAt: editedAt, deletedBy: deletedBy,
                reactions: MessageReactions(storedJSON: reactions), mentions: SQLiteMessageStore.names(mentions),
                attachments: [MessageAttachment](storedJSON: attachments))
        }
    }

    /// The message `seq` of conversation `key`, if stored; locked for the transaction's change.
    func message(_ connection: PostgresConnection, key: String, seq: Int64) async throws -> StoredMessage? {
        try Self.messages(
            await connection.checkedQuery(
                """
                SELECT \(unescaped: Self.messageColumns) FROM messages
                WHERE conversation_key = \(key) AND seq = \(seq) FOR UPDATE
                """, logger: logger)
        ).first
    }

    /// Applies `draft`'s update to its target (and, after a delete, empties the quotes of it);
    /// returns the quote of the message `draft` answers.
    func applyLifecycle(_ draft: MessageDraft, on connection: PostgresConnection) async throws -> MessageQuote? {
        let key = draft.conversation.key
        var quote: MessageQuote?
        if let replyTo = draft.replyTo {
            guard let original = try await message(connection, key: key, seq: replyTo) else {
                throw StoreError(.noSuchMessage, "seq \(replyTo) is no message of this conversation")
            }
            quote = try MessageLifecycle.quote(of: original)
        }
        guard let update = draft.update else { return quote }
        guard let target = try await message(connection, key: key, seq: update.seq) else {
            throw StoreError(.noSuchMessage, "seq \(update.seq) is no message of this conversation")
        }
        guard let changed = try MessageLifecycle.apply(draft, to: target) else { return quote }
        if update.action == .edit, case .room(let room) = draft.conversation {
            // Moderators see what an edit replaced; clients never do.
            try await connection.checkedQuery(
                """
                INSERT INTO moderation_log (room_key, room_name, action, actor, target, detail, created_at, seq)
                VALUES (\(Room.key(for: room)), \(room), \(ModerationAction.edit.rawValue), \(draft.from), \(target.from),
                    \(target.text), \(draft.timestamp), \(target.seq))
                """, logger: logger)
        }
        let reactions = changed.reactions.isEmpty ? nil : changed.reactions.storedJSON
        let replyQuote = changed.replyTo?.storedJSON
        try await connection.checkedQuery(
            """
            UPDATE messages SET text = \(changed.text), search_text = \(SearchTextNormalizer.indexText(changed.text)),
              edited_at = \(changed.editedAt), deleted_by = \(changed.deletedBy),
              reactions = \(reactions), reply_quote = \(replyQuote)
            WHERE conversation_key = \(key) AND seq = \(changed.seq)
            """, logger: logger)
        if changed.deletedBy != nil {
            try await connection.checkedQuery(
                "UPDATE messages SET attachments = NULL WHERE conversation_key = \(key) AND seq = \(changed.seq)",
                logger: logger)
            try await connection.checkedQuery(
                "DELETE FROM message_attachments WHERE conversation_key = \(key) AND seq = \(changed.seq)",
                logger: logger)
            // Deleted text leaves the store: quotes of it too.
            let emptied = MessageQuote(seq: changed.seq, from: changed.from, text: "").storedJSON
            try await connection.checkedQuery(
                "UPDATE messages SET reply_quote = \(emptied) WHERE conversation_key = \(key) AND reply_to = \(changed.seq)",
                logger: logger)
            // And the texts its edits carried, and those the moderation log kept.
            if case .room(let room) = draft.conversation {
                try await connection.checkedQuery(
                    """
                    UPDATE moderation_log SET detail = ''
                    WHERE room_key = \(Room.key(for: room)) AND action = \(ModerationAction.edit.rawValue) AND seq = \(changed.seq)
                    """, logger: logger)
            }
            let textless = MessageUpdate(.edit, seq: changed.seq).storedJSON
            let editPattern = #"{"action":"edit"%"#
            try await connection.checkedQuery(
                """
                UPDATE messages SET update_json = \(textless)
                WHERE conversation_key = \(key) AND update_seq = \(changed.seq) AND update_json LIKE \(editPattern)
                """, logger: logger)
        }
        return quote
    }

    func ensureConversation(_ connection: PostgresConnection, _ conversation: Conversation) async throws {
        let (userA, userB) = conversation.storageParties
        try await connection.checkedQuery(
            """
            INSERT INTO conversations (key, kind, room, user_a, user_b, epoch, last_seq, created_at)
            VALUES (\(conversation.key), \(conversation.storageKind), \(conversation.storageRoom), \(userA), \(userB),
                \(Conversation.newEpoch()), 0, \(ChatClock.wallMillis()))
            ON CONFLICT (key) DO NOTHING
            """, logger: logger)
    }

    // MARK: MessageStore

    package func append(_ draft: MessageDraft) async throws -> AppendResult {
        try await guarded {
            // A concurrent append with the same (sender, cid) on another node makes the loser's
            // insert violate the unique index; its savepoint (and its seq) rolls back and the
            // retry finds the winner. A batch not sent because the pooled connection had closed
            // (PostgreSQL restarted) left nothing behind that could commit: try again.
            var attempt = 0
            while true {
                attempt += 1
                do {
                    return try await appends.append(draft)
                } catch  where (Self.isUniqueViolation(error) || error is PostgresConnectionClosed) && attempt < 3 {
                    continue
                }
            }
        }
    }

    /// Writes a batch of appends in one transaction (`GroupCommit`), a savepoint per draft so a
    /// refused one leaves nothing behind. Drafts are taken in conversation-key order, so two
    /// nodes' batches lock conversation rows in the same order and never deadlock; one
    /// conversation's drafts keep their order (the sort is stable).
    func appendBatch(_ drafts: [MessageDraft]) async throws -> [GroupCommit.Outcome] {
        let order = drafts.indices.sorted { (drafts[$0].conversation.key, $0) < (drafts[$1].conversation.key, $1) }
        return try await transaction { connection in
            var outcomes = [GroupCommit.Outcome?](repeating: nil, count: drafts.count)
            for index in order {
                try await connection.checkedQuery("SAVEPOINT draft", logger: self.logger)
                do {
                    outcomes[index] = .success(try await self.append(drafts[index], on: connection))
                    try await connection.checkedQuery("RELEASE SAVEPOINT draft", logger: self.logger)
                } catch let error where error is StoreError || Self.isUniqueViolation(error) {
                    outcomes[index] = .failure(error)
                    try await connection.checkedQuery("ROLLBACK TO SAVEPOINT draft", logger: self.logger)
                }
            }
            return outcomes.map { $0! }
        }
    }

    func append(_ draft: MessageDraft, on connection: PostgresConnection) async throws -> AppendResult {
        let key = draft.conversation.key
        let previous = try Self.messages(
            await connection.checkedQuery(
                """
                SELECT \(unescaped: Self.messageColumns) FROM messages
                WHERE sender = \(draft.from) AND client_id = \(draft.clientID)
                """, logger: logger))
        if let previous = previous.first {
            guard MessageLifecycle.isSameRequest(draft, as: previous) else {
                throw StoreError(.clientIDConflict, "cid \(draft.clientID) was used for another message")
            }
            return AppendResult(message: previous, duplicate: true)
        }
        try await ensureConversation(connection, draft.conversation)
        let quote = try await applyLifecycle(draft, on: connection)
        let seq = try await connection.checkedQuery(
            "UPDATE conversations SET last_seq = last_seq + 1 WHERE key = \(key) RETURNING last_seq", logger: logger
        ).first?.decode(Int64.self)
        guard let seq else { throw StoreError(.unavailable, "conversation \(key) vanished during append") }
        var message = StoredMessage(
            id: UUID().uuidString.lowercased(), conversationKey: key, seq: seq, from: draft.from, text: draft.text,
            timestamp: draft.timestamp, clientID: draft.clientID, event: draft.event, update: draft.update,
            replyTo: quote)
        message.mentions = draft.mentions
        message.attachments = draft.attachments
        let mentions = SQLiteMessageStore.namesJSON(draft.mentions)
        let attachments = draft.attachments.storedJSON
        let event = message.event?.storedJSON
        let update = message.update?.storedJSON
        let replyQuote = message.replyTo?.storedJSON
        let searchText = message.event == nil ? SearchTextNormalizer.indexText(message.text) : nil
        try await connection.checkedQuery(
            """
            INSERT INTO messages (conversation_key, seq, id, sender, client_id, text, created_at, event, update_json, reply_quote, reply_to, update_seq, mentions, attachments, search_text)
            VALUES (\(key), \(seq), \(message.id), \(message.from), \(message.clientID), \(message.text), \(message.timestamp), \(event), \(update), \(replyQuote), \(draft.replyTo), \(draft.update?.seq), \(mentions), \(attachments), \(searchText))
            """, logger: logger)
        try await recordAttachments(draft.attachments, key: key, seq: seq, on: connection)
        return AppendResult(message: message, duplicate: false)
    }

    package func state(of conversation: Conversation) async throws -> ConversationState {
        try await guarded {
            // A join reads; only the first join of a new conversation writes (it fixes the epoch).
            if let state = try Self.state(await query(Self.stateQuery(conversation))) { return state }
            return try await client.withConnection { connection in
                try await self.ensureConversation(connection, conversation)
                let rows = try await connection.checkedQuery(Self.stateQuery(conversation), logger: self.logger)
                guard let state = try Self.state(rows) else {
                    throw StoreError(.unavailable, "conversation \(conversation.key) vanished")
                }
                return state
            }
        }
    }

    static func stateQuery(_ conversation: Conversation) -> PostgresQuery {
        """
        SELECT epoch, last_seq, pruned_through + 1 FROM conversations WHERE key = \(conversation.key)
        """
    }

    static func state(_ rows: PostgresQueryResult) throws -> ConversationState? {
        guard let (epoch, lastSeq, firstSeq) = try rows.first?.decode((String, Int64, Int64).self) else { return nil }
        return ConversationState(epoch: epoch, lastSeq: lastSeq, firstAvailableSeq: firstSeq)
    }

    package func messages(in conversation: Conversation, after seq: Int64, limit: Int) async throws -> [StoredMessage] {
        guard limit > 0 else { return [] }
        return try await guarded {
            try Self.messages(
                await query(
                    """
                    SELECT \(unescaped: Self.messageColumns) FROM messages
                    WHERE conversation_key = \(conversation.key) AND seq > \(seq) ORDER BY seq LIMIT \(limit)
                    """))
        }
    }

    package func messages(in conversation: Conversation, before seq: Int64?, limit: Int) async throws -> [StoredMessage]
    {
        guard limit > 0 else { return [] }
        return try await guarded {
            try Self.messages(
                await query(
                    """
                    SELECT \(unescaped: Self.messageColumns) FROM messages
                    WHERE conversation_key = \(conversation.key) AND seq < \(seq ?? Int64.max)
                    ORDER BY seq DESC LIMIT \(limit)
                    """))
        }
    }

    package func readPositions(in conversation: Conversation, limit: Int) async throws -> [String: Int64] {
        try await guarded {
            let rows = try await query(
                """
                SELECT user_name, seq FROM read_positions WHERE conversation_key = \(conversation.key)
                ORDER BY updated_at DESC LIMIT \(limit)
                """)
            var positions: [String: Int64] = [:]
            for row in rows {
                let (user, seq) = try row.decode((String, Int64).self)
                positions[user] = seq
            }
            return positions
        }
    }

    package func markRead(user: String, in conversation: Conversation, upTo seq: Int64) async throws -> Int64 {
        try await guarded {
            let rows = try await query(
                """
                INSERT INTO read_positions (conversation_key, user_name, seq, updated_at)
                VALUES (\(conversation.key), \(user), \(max(seq, 0)), \(ChatClock.wallMillis()))
                ON CONFLICT (conversation_key, user_name)
                DO UPDATE SET seq = GREATEST(read_positions.seq, excluded.seq), updated_at = excluded.updated_at
                RETURNING seq
                """)
            return try rows.first?.decode(Int64.self) ?? max(seq, 0)
        }
    }

    package func readPosition(of user: String, in conversation: Conversation) async throws -> Int64 {
        try await guarded {
            let rows = try await query(
                """
                SELECT seq FROM read_positions WHERE conversation_key = \(conversation.key) AND user_name = \(user)
                """)
            return try rows.first?.decode(Int64.self) ?? 0
        }
    }

    package func unreadDirectConversations(of user: String) async throws -> [UnreadConversation] {
        try await guarded {
            let rows = try await query(
                """
                SELECT c.user_a, c.user_b, c.last_seq, COALESCE(r.seq, 0),
                    (SELECT COUNT(*) FROM messages m
                     WHERE m.conversation_key = c.key AND m.seq > COALESCE(r.seq, 0) AND m.sender <> \(user))
                FROM conversations c
                LEFT JOIN read_positions r ON r.conversation_key = c.key AND r.user_name = \(user)
                WHERE c.kind = 'dm' AND (c.user_a = \(user) OR c.user_b = \(user)) AND c.last_seq > COALESCE(r.seq, 0)
                """)
            var unread: [UnreadConversation] = []
            for row in rows {
                let (a, b, lastSeq, readSeq, count) = try row.decode((String, String, Int64, Int64, Int64).self)
                guard count > 0 else { continue }
                unread.append(
                    UnreadConversation(peer: a == user ? b : a, count: count, lastSeq: lastSeq, readSeq: readSeq))
            }
            return unread.sorted { $0.peer < $1.peer }
        }
    }
}
