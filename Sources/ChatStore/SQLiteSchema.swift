/// The SQLite schema, as versioned migrations (docs/STORAGE.md explains each table).
enum SQLiteSchema {
    static let migrations: [Migration] = [
        Migration(
            version: 1, name: "conversations, messages and read positions",
            statements: [
                """
                CREATE TABLE conversations (
                    key TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('room', 'dm')),
                    room TEXT,
                    user_a TEXT,
                    user_b TEXT,
                    epoch TEXT NOT NULL,
                    last_seq INTEGER NOT NULL DEFAULT 0,
                    created_at INTEGER NOT NULL
                ) STRICT
                """,
                "CREATE INDEX conversations_user_a ON conversations (user_a) WHERE kind = 'dm'",
                "CREATE INDEX conversations_user_b ON conversations (user_b) WHERE kind = 'dm'",
                """
                CREATE TABLE messages (
                    conversation_key TEXT NOT NULL REFERENCES conversations (key),
                    seq INTEGER NOT NULL,
                    id TEXT NOT NULL UNIQUE,
                    sender TEXT NOT NULL,
                    client_id TEXT NOT NULL,
                    text TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (conversation_key, seq)
                ) STRICT, WITHOUT ROWID
                """,
                "CREATE UNIQUE INDEX messages_sender_client_id ON messages (sender, client_id)",
                """
                CREATE TABLE read_positions (
                    conversation_key TEXT NOT NULL,
                    user_name TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    PRIMARY KEY (conversation_key, user_name)
                ) STRICT, WITHOUT ROWID
                """,
            ]
        ),
        Migration(
            version: 2, name: "accounts and access tokens",
            statements: [
                """
                CREATE TABLE accounts (
                    name_key TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                ) STRICT
                """,
                """
                CREATE TABLE access_tokens (
                    token_hash TEXT PRIMARY KEY NOT NULL,
                    account_key TEXT NOT NULL REFERENCES accounts (name_key),
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    revoked_at INTEGER
                ) STRICT
                """,
                "CREATE INDEX access_tokens_account ON access_tokens (account_key)",
            ]
        ),
        Migration(
            version: 3,
            name: "rooms, members, invitations, bans, mutes, blocks, moderation log; admin and disabled accounts",
            statements: [
                "ALTER TABLE accounts ADD COLUMN is_admin INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE accounts ADD COLUMN disabled_at INTEGER",
                """
                CREATE TABLE rooms (
                    name_key TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    topic TEXT NOT NULL DEFAULT '',
                    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'private', 'invite')),
                    creator TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                ) STRICT
                """,
                """
                CREATE TABLE room_members (
                    room_key TEXT NOT NULL REFERENCES rooms (name_key) ON DELETE CASCADE,
                    user_key TEXT NOT NULL,
                    user_name TEXT NOT NULL,
                    role TEXT NOT NULL CHECK (role IN ('owner', 'moderator', 'member')),
                    joined_at INTEGER NOT NULL,
                    PRIMARY KEY (room_key, user_key)
                ) STRICT
                """,
                "CREATE INDEX room_members_user ON room_members (user_key)",
                """
                CREATE TABLE room_invites (
                    room_key TEXT NOT NULL REFERENCES rooms (name_key) ON DELETE CASCADE,
                    user_key TEXT NOT NULL,
                    user_name TEXT NOT NULL,
                    invited_by TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (room_key, user_key)
                ) STRICT
                """,
                """
                CREATE TABLE room_bans (
                    room_key TEXT NOT NULL REFERENCES rooms (name_key) ON DELETE CASCADE,
                    user_key TEXT NOT NULL,
                    user_name TEXT NOT NULL,
                    until INTEGER,
                    reason TEXT NOT NULL DEFAULT '',
                    banned_by TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (room_key, user_key)
                ) STRICT
                """,
                """
                CREATE TABLE room_mutes (
                    room_key TEXT NOT NULL REFERENCES rooms (name_key) ON DELETE CASCADE,
                    user_key TEXT NOT NULL,
                    user_name TEXT NOT NULL,
                    until INTEGER,
                    muted_by TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (room_key, user_key)
                ) STRICT
                """,
                """
                CREATE TABLE user_blocks (
                    blocker_key TEXT NOT NULL,
                    blocked_key TEXT NOT NULL,
                    blocked_name TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (blocker_key, blocked_key)
                ) STRICT
                """,
                """
                CREATE TABLE moderation_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    room_key TEXT NOT NULL,
                    room_name TEXT NOT NULL,
                    action TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    target TEXT,
                    detail TEXT NOT NULL DEFAULT '',
                    created_at INTEGER NOT NULL
                ) STRICT
                """,
                "CREATE INDEX moderation_log_room ON moderation_log (room_key, id)",
            ]
        ),
        Migration(
            version: 4, name: "room settings and moderation events in the messages' seq stream",
            statements: ["ALTER TABLE messages ADD COLUMN event TEXT"]
        ),
        Migration(
            version: 5, name: "full-text search: FTS5 over chat messages (not room events)",
            statements: [
                // `messages` has no rowid: this table gives each searchable message one, in
                // arrival order (the search order and cursor).
                """
                CREATE TABLE message_search_rows (
                    id INTEGER PRIMARY KEY,
                    conversation_key TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    UNIQUE (conversation_key, seq)
                ) STRICT
                """,
                // What FTS5 reads for snippets and `rebuild`. U+0001 and U+0002 mark matches in
                // snippets, so a text's own become spaces (separators to the tokenizer either
                // way). `scope` is the room as one token (`searchScope`), so `room=` is a term
                // of the MATCH, not a filter over every match of the words.
                """
                CREATE VIEW message_search_content AS
                SELECT r.id AS id, replace(replace(m.text, char(1), ' '), char(2), ' ') AS text,
                    \(searchScope("r.conversation_key")) AS scope
                FROM message_search_rows r JOIN messages m ON m.conversation_key = r.conversation_key AND m.seq = r.seq
                """,
                // Prefix indexes of 2 and 3 characters: `ka*` reads one list, not every word's
                // that starts so (measured: 112 ms → 4 ms at a million messages).
                """
                CREATE VIRTUAL TABLE message_search USING fts5(
                    text, scope, content = 'message_search_content', content_rowid = 'id',
                    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
                )
                """,
            ] + searchTriggers(indexing: "text") + [
                // Messages stored before this version, oldest first.
                """
                INSERT INTO message_search_rows (conversation_key, seq)
                SELECT conversation_key, seq FROM messages WHERE event IS NULL ORDER BY created_at, conversation_key, seq
                """,
                "INSERT INTO message_search (message_search) VALUES ('rebuild')",
            ]
        ),
        Migration(
            version: 6, name: "message lifecycle: edits, tombstones, reactions, replies",
            statements: [
                "ALTER TABLE messages ADD COLUMN update_json TEXT",
                "ALTER TABLE messages ADD COLUMN reply_to INTEGER",
                "ALTER TABLE messages ADD COLUMN reply_quote TEXT",
                "ALTER TABLE messages ADD COLUMN edited_at INTEGER",
                "ALTER TABLE messages ADD COLUMN deleted_by TEXT",
                "ALTER TABLE messages ADD COLUMN reactions TEXT",
                "ALTER TABLE messages ADD COLUMN update_seq INTEGER",
                "CREATE INDEX messages_update_seq ON messages (conversation_key, update_seq) WHERE update_seq IS NOT NULL",
                "CREATE INDEX messages_reply_to ON messages (conversation_key, reply_to) WHERE reply_to IS NOT NULL",
            ]
        ),
        Migration(
            version: 7, name: "mentions",
            statements: ["ALTER TABLE messages ADD COLUMN mentions TEXT"]
        ),
        Migration(
            version: 8, name: "uploads and message attachments",
            statements: [
                """
                CREATE TABLE uploads (
                    id TEXT PRIMARY KEY NOT NULL,
                    digest TEXT NOT NULL,
                    uploader TEXT NOT NULL,
                    name TEXT NOT NULL,
                    content_type TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    created_at INTEGER NOT NULL
                ) STRICT
                """,
                "CREATE INDEX uploads_uploader ON uploads (uploader, created_at)",
                "CREATE INDEX uploads_digest ON uploads (digest)",
                "CREATE INDEX uploads_created_at ON uploads (created_at)",
                """
                CREATE TABLE message_attachments (
                    upload_id TEXT NOT NULL REFERENCES uploads (id),
                    conversation_key TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    PRIMARY KEY (upload_id, conversation_key, seq)
                ) STRICT, WITHOUT ROWID
                """,
                "ALTER TABLE messages ADD COLUMN attachments TEXT",
            ]
        ),
        Migration(
            version: 9, name: "bots with scoped tokens, and incoming webhooks",
            statements: [
                // A bot is an account too (same key): room rules and reserved names apply to it.
                // `rooms` is a JSON array of room names; the token is kept as its SHA-256.
                """
                CREATE TABLE bots (
                    name_key TEXT PRIMARY KEY NOT NULL REFERENCES accounts (name_key),
                    name TEXT NOT NULL,
                    token_hash TEXT NOT NULL UNIQUE,
                    rooms TEXT NOT NULL,
                    may_read INTEGER NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    revoked_at INTEGER
                ) STRICT
                """,
                // The secret is kept as its SHA-256; `id` is the hook's public name.
                """
                CREATE TABLE webhooks (
                    id TEXT PRIMARY KEY NOT NULL,
                    secret_hash TEXT NOT NULL UNIQUE,
                    bot_key TEXT NOT NULL REFERENCES bots (name_key),
                    room TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    revoked_at INTEGER
                ) STRICT
                """,
                "CREATE INDEX webhooks_bot ON webhooks (bot_key)",
            ]
        ),
        Migration(
            version: 10, name: "retention: each conversation's pruned-through seq, each room's retention override",
            statements: [
                // Every seq up to this one was pruned; the retained range starts after it
                // (`ConversationState.firstAvailableSeq`). Set from the stored messages, so a
                // conversation loaded above seq 1 (the search benchmark's import) reads as before.
                "ALTER TABLE conversations ADD COLUMN pruned_through INTEGER NOT NULL DEFAULT 0",
                """
                UPDATE conversations SET pruned_through =
                    COALESCE((SELECT MIN(seq) - 1 FROM messages WHERE conversation_key = conversations.key), last_seq)
                """,
                // NULL: the server's --retention-days; 0: keep forever; N: N days.
                "ALTER TABLE rooms ADD COLUMN retention_days INTEGER",
            ]
        ),
        Migration(
            version: 11, name: "edits in the moderation log: the message's seq",
            statements: ["ALTER TABLE moderation_log ADD COLUMN seq INTEGER"]
        ),
        Migration(
            version: 12, name: "search indexes the normalised text: CJK pairs, emoji tokens, folded words",
            statements: [
                // The old index reads `text`; nothing may touch it while the column fills.
                "DROP TRIGGER messages_search_insert",
                "DROP TRIGGER messages_search_delete",
                "DROP TRIGGER messages_search_update",
                "DROP VIEW message_search_content",
                // `SearchTextNormalizer.indexText` of the text, written with it by the store;
                // NULL for room events (never searched).
                "ALTER TABLE messages ADD COLUMN search_text TEXT",
            ],
            backfill: .searchText,
            finally: [
                // What FTS5 indexes and `rebuild` reads: the normalised text (letters, digits and
                // spaces only). Snippets are made in Swift from `text` (`SearchTextMatcher`).
                """
                CREATE VIEW message_search_content AS
                SELECT r.id AS id, m.search_text AS text, \(searchScope("r.conversation_key")) AS scope
                FROM message_search_rows r JOIN messages m ON m.conversation_key = r.conversation_key AND m.seq = r.seq
                """
            ] + searchTriggers(indexing: "search_text") + [
                "INSERT INTO message_search (message_search) VALUES ('rebuild')"
            ]
        ),
    ]

    /// The triggers that keep `message_search` in step with the column it indexes: `text` from
    /// migration 5, `search_text` from migration 12 (an edit or a delete sets `text` and
    /// `search_text` in one statement). Only chat messages are indexed, never room events
    /// (`SQLiteMessageStore.searchable`).
    static func searchTriggers(indexing column: String) -> [String] {
        [
            """
            CREATE TRIGGER messages_search_insert AFTER INSERT ON messages WHEN new.event IS NULL BEGIN
                INSERT INTO message_search_rows (conversation_key, seq) VALUES (new.conversation_key, new.seq);
                INSERT INTO message_search (rowid, text, scope)
                    SELECT id, new.\(column), \(searchScope("new.conversation_key")) FROM message_search_rows
                    WHERE conversation_key = new.conversation_key AND seq = new.seq;
            END
            """,
            """
            CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN
                INSERT INTO message_search (message_search, rowid, text, scope)
                    SELECT 'delete', id, old.\(column), \(searchScope("old.conversation_key")) FROM message_search_rows
                    WHERE conversation_key = old.conversation_key AND seq = old.seq;
                DELETE FROM message_search_rows WHERE conversation_key = old.conversation_key AND seq = old.seq;
            END
            """,
            """
            CREATE TRIGGER messages_search_update AFTER UPDATE OF \(column) ON messages BEGIN
                INSERT INTO message_search (message_search, rowid, text, scope)
                    SELECT 'delete', id, old.\(column), \(searchScope("old.conversation_key")) FROM message_search_rows
                    WHERE conversation_key = old.conversation_key AND seq = old.seq;
                INSERT INTO message_search (rowid, text, scope)
                    SELECT id, new.\(column), \(searchScope("new.conversation_key")) FROM message_search_rows
                    WHERE conversation_key = new.conversation_key AND seq = new.seq;
            END
            """,
        ]
    }

    /// The SQL of a message's search scope, from its conversation key: `r` and the hex of the
    /// lower-cased room name for a room (one token of letters and digits, whatever the name), ''
    /// for a direct conversation. `SQLiteMessageStore.scopeToken` is the same in Swift.
    static func searchScope(_ key: String) -> String {
        "CASE WHEN substr(\(key), 1, 5) = 'room:' THEN 'r' || lower(hex(lower(substr(\(key), 6)))) ELSE '' END"
    }
}
