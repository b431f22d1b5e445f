/// The PostgreSQL schema, as versioned migrations (docs/STORAGE.md explains each table).
///
/// The same tables as SQLite; `BIGINT` where SQLite says `INTEGER`.
enum PostgresSchema {
    /// The first key of the advisory lock that serialises migrations of nodes starting together;
    /// the second is the hash of the schema's name, so only nodes sharing a schema wait for each
    /// other (one global lock queued every test's fresh schema behind all the others).
    static let migrationLockClass: Int32 = 0x7261_6262  // "rabb"
    /// The advisory lock class of one blob (`PostgresBlobStore.lock`).
    static let blobLockClass: Int32 = 0x626C_6F62  // "blob"

    static let migrations: [Migration] = [
        Migration(
            version: 1, name: "conversations, messages and read positions",
            statements: [
                """
                CREATE TABLE conversations (
                    key TEXT PRIMARY KEY,
                    kind TEXT NOT NULL CHECK (kind IN ('room', 'dm')),
                    room TEXT,
                    user_a TEXT,
                    user_b TEXT,
                    epoch TEXT NOT NULL,
                    last_seq BIGINT NOT NULL DEFAULT 0,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX conversations_user_a ON conversations (user_a) WHERE kind = 'dm'",
                "CREATE INDEX conversations_user_b ON conversations (user_b) WHERE kind = 'dm'",
                """
                CREATE TABLE messages (
                    conversation_key TEXT NOT NULL REFERENCES conversations (key),
                    seq BIGINT NOT NULL,
                    id TEXT NOT NULL UNIQUE,
                    sender TEXT NOT NULL,
                    client_id TEXT NOT NULL,
                    text TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (conversation_key, seq)
                )
                """,
                "CREATE UNIQUE INDEX messages_sender_client_id ON messages (sender, client_id)",
                """
                CREATE TABLE read_positions (
                    conversation_key TEXT NOT NULL,
                    user_name TEXT NOT NULL,
                    seq BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    PRIMARY KEY (conversation_key, user_name)
                )
                """,
            ]
        ),
        Migration(
            version: 2, name: "accounts and access tokens",
            statements: [
                """
                CREATE TABLE accounts (
                    name_key TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE access_tokens (
                    token_hash TEXT PRIMARY KEY,
                    account_key TEXT NOT NULL REFERENCES accounts (name_key),
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    revoked_at BIGINT
                )
                """,
                "CREATE INDEX access_tokens_account ON access_tokens (account_key)",
            ]
        ),
        Migration(
            version: 3,
            name: "rooms, members, invitations, bans, mutes, blocks, moderation log; admin and disabled accounts",
            statements: [
                "ALTER TABLE accounts ADD COLUMN is_admin BOOLEAN NOT NULL DEFAULT FALSE",
                "ALTER TABLE accounts ADD COLUMN disabled_at BIGINT",
                """
                CREATE TABLE rooms (
                    name_key TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    topic TEXT NOT NULL DEFAULT '',
                    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'private', 'invite')),
                    creator TEXT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE room_members (
                    room_key TEXT NOT NULL REFERENCES rooms (name_key) ON DELETE CASCADE,
                    user_key TEXT NOT NULL,
                    user_name TEXT NOT NULL,
                    role TEXT NOT NULL CHECK (role IN ('owner', 'moderator', 'member')),
                    joined_at BIGINT NOT NULL,
                    PRIMARY KEY (room_key, user_key)
                )
                """,
                "CREATE INDEX room_members_user ON room_members (user_key)",
                """
                CREATE TABLE room_invites (
                    room_key TEXT NOT NULL REFERENCES rooms (name_key) ON DELETE CASCADE,
                    user_key TEXT NOT NULL,
                    user_name TEXT NOT NULL,
                    invited_by TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (room_key, user_key)
                )
                """,
                """
                CREATE TABLE room_bans (
                    room_key TEXT NOT NULL REFERENCES rooms (name_key) ON DELETE CASCADE,
                    user_key TEXT NOT NULL,
                    user_name TEXT NOT NULL,
                    until BIGINT,
                    reason TEXT NOT NULL DEFAULT '',
                    banned_by TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (room_key, user_key)
                )
                """,
                """
                CREATE TABLE room_mutes (
                    room_key TEXT NOT NULL REFERENCES rooms (name_key) ON DELETE CASCADE,
                    user_key TEXT NOT NULL,
                    user_name TEXT NOT NULL,
                    until BIGINT,
                    muted_by TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (room_key, user_key)
                )
                """,
                """
                CREATE TABLE user_blocks (
                    blocker_key TEXT NOT NULL,
                    blocked_key TEXT NOT NULL,
                    blocked_name TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (blocker_key, blocked_key)
                )
                """,
                """
                CREATE TABLE moderation_log (
                    id BIGSERIAL PRIMARY KEY,
                    room_key TEXT NOT NULL,
                    room_name TEXT NOT NULL,
                    action TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    target TEXT,
                    detail TEXT NOT NULL DEFAULT '',
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX moderation_log_room ON moderation_log (room_key, id)",
            ]
        ),
        Migration(
            version: 4, name: "room settings and moderation events in the messages' seq stream",
            statements: ["ALTER TABLE messages ADD COLUMN event TEXT"]
        ),
        Migration(
            version: 5, name: "full-text search: a tsvector of chat messages (not room events) with a GIN index",
            statements: [
                // One rewrite of the table adds both: the arrival order (the search order and
                // cursor) and the words, NULL for room events (`PostgresMessageStore.searchable`).
                """
                ALTER TABLE messages
                    ADD COLUMN search_position BIGINT GENERATED ALWAYS AS IDENTITY,
                    ADD COLUMN search_vector tsvector GENERATED ALWAYS AS
                        (CASE WHEN event IS NULL THEN to_tsvector('simple', text) END) STORED
                """,
                "CREATE UNIQUE INDEX messages_search_position ON messages (search_position)",
                "CREATE INDEX messages_search_vector ON messages USING GIN (search_vector)",
            ]
        ),
        Migration(
            version: 6, name: "message lifecycle: edits, tombstones, reactions, replies",
            statements: [
                "ALTER TABLE messages ADD COLUMN update_json TEXT",
                "ALTER TABLE messages ADD COLUMN reply_to BIGINT",
                "ALTER TABLE messages ADD COLUMN reply_quote TEXT",
                "ALTER TABLE messages ADD COLUMN edited_at BIGINT",
                "ALTER TABLE messages ADD COLUMN deleted_by TEXT",
                "ALTER TABLE messages ADD COLUMN reactions TEXT",
                "ALTER TABLE messages ADD COLUMN update_seq BIGINT",
                "CREATE INDEX messages_update_seq ON messages (conversation_key, update_seq) WHERE update_seq IS NOT NULL",
                "CREATE INDEX messages_reply_to ON messages (conversation_key, reply_to) WHERE reply_to IS NOT NULL",
            ]
        ),
        Migration(
            version: 7, name: "mentions",
            statements: ["ALTER TABLE messages ADD COLUMN mentions TEXT"]
        ),
        Migration(
            version: 8, name: "uploads, message attachments and blob chunks",
            statements: [
                """
                CREATE TABLE uploads (
                    id TEXT PRIMARY KEY,
                    digest TEXT NOT NULL,
                    uploader TEXT NOT NULL,
                    name TEXT NOT NULL,
                    content_type TEXT NOT NULL,
                    size BIGINT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX uploads_uploader ON uploads (uploader, created_at)",
                "CREATE INDEX uploads_digest ON uploads (digest)",
                "CREATE INDEX uploads_created_at ON uploads (created_at)",
                """
                CREATE TABLE message_attachments (
                    upload_id TEXT NOT NULL REFERENCES uploads (id),
                    conversation_key TEXT NOT NULL,
                    seq BIGINT NOT NULL,
                    PRIMARY KEY (upload_id, conversation_key, seq)
                )
                """,
                "ALTER TABLE messages ADD COLUMN attachments TEXT",
                // PostgresBlobStore: a blob's bytes in chunks of 256 KiB, under its digest, or
                // under 'staging:<uuid>' while it is being written.
                """
                CREATE TABLE blobs (
                    digest TEXT PRIMARY KEY,
                    size BIGINT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE blob_chunks (
                    blob TEXT NOT NULL,
                    chunk INTEGER NOT NULL,
                    data BYTEA NOT NULL,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (blob, chunk)
                )
                """,
            ]
        ),
        Migration(
            version: 9, name: "bots with scoped tokens, and incoming webhooks",
            statements: [
                // A bot is an account too (same key): room rules and reserved names apply to it.
                // `rooms` is a JSON array of room names; the token is kept as its SHA-256.
                """
                CREATE TABLE bots (
                    name_key TEXT PRIMARY KEY REFERENCES accounts (name_key),
                    name TEXT NOT NULL,
                    token_hash TEXT NOT NULL UNIQUE,
                    rooms TEXT NOT NULL,
                    may_read BOOLEAN NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    revoked_at BIGINT
                )
                """,
                // The secret is kept as its SHA-256; `id` is the hook's public name.
                """
                CREATE TABLE webhooks (
                    id TEXT PRIMARY KEY,
                    secret_hash TEXT NOT NULL UNIQUE,
                    bot_key TEXT NOT NULL REFERENCES bots (name_key),
                    room TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    revoked_at BIGINT
                )
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
                "ALTER TABLE conversations ADD COLUMN pruned_through BIGINT NOT NULL DEFAULT 0",
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
            statements: ["ALTER TABLE moderation_log ADD COLUMN seq BIGINT"]
        ),
        Migration(
            version: 12, name: "search indexes the normalised text: CJK pairs, emoji tokens, folded words",
            statements: [
                // The words come from `search_text` now: the old column (and its index) goes
                // first, so filling the new one does not recompute it row by row.
                // `search_text` is `SearchTextNormalizer.indexText` of the text, written with it
                // by the store; NULL for room events (never searched).
                "ALTER TABLE messages DROP COLUMN search_vector, ADD COLUMN search_text TEXT"
            ],
            backfill: .searchText,
            finally: [
                """
                ALTER TABLE messages ADD COLUMN search_vector tsvector GENERATED ALWAYS AS
                    (CASE WHEN event IS NULL THEN to_tsvector('simple', coalesce(search_text, '')) END) STORED
                """,
                "CREATE INDEX messages_search_vector ON messages USING GIN (search_vector)",
            ]
        ),
    ]
}
