package import ChatCore
import Foundation
import GRDB

/// `MessageSearch` on SQLite: FTS5 (migration 5, `SQLiteSchema`) over each message's
/// `search_text` (migration 12: `SearchTextNormalizer.indexText`, written with the text), queried
/// with the terms normalised the same way; snippets from the text by `SearchTextMatcher`.
///
/// `messages` is a `WITHOUT ROWID` table, so the FTS5 table `message_search` cannot point at it
/// directly: `message_search_rows` gives each searchable message an integer id (growing with
/// arrival, which is also the search order and cursor), and the external-content FTS5 table reads
/// its text through the view `message_search_content`. Triggers on `messages` keep both in step,
/// in the append's own transaction.
extension SQLiteMessageStore: MessageSearch {
    /// Which stored messages search may return (`m` is `messages`): chat messages, never room
    /// events, edit/delete/reaction entries or deleted messages (whose text is emptied anyway).
    /// The one place that says so. (The triggers of migration 5 index every row but events: the
    /// lifecycle columns came in migration 6, after it.)
    static let searchable = "m.event IS NULL AND m.update_json IS NULL AND m.deleted_by IS NULL"

    /// Whether the reader (`:reader`, NULL for a guest; `:reader_key` its account key) may read
    /// the conversation `c`: the rule of `RoomStore.authorizeRead` for rooms (a room the store
    /// does not know is public), the two parties for a direct conversation.
    static let readable = """
        CASE c.kind
          WHEN 'dm' THEN :reader IS NOT NULL AND (c.user_a = :reader OR c.user_b = :reader)
          ELSE NOT EXISTS (
            SELECT 1 FROM rooms ro WHERE ro.name_key = lower(c.room) AND ro.visibility <> 'public' AND (
              :reader IS NULL
              OR EXISTS (SELECT 1 FROM room_bans b WHERE b.room_key = ro.name_key AND b.user_key = :reader_key
                         AND (b.until IS NULL OR b.until > :now))
              OR (NOT EXISTS (SELECT 1 FROM accounts a WHERE a.name_key = :reader_key AND a.is_admin = 1
                              AND a.disabled_at IS NULL)
                  AND NOT EXISTS (SELECT 1 FROM room_members rm WHERE rm.room_key = ro.name_key
                                  AND rm.user_key = :reader_key))))
        END
        """

    package func search(_ query: SearchQuery) async throws -> SearchPage {
        guard query.terms.isSearchable else { return SearchPage(hits: [], next: nil) }
        let roomFilter = query.room == nil ? "" : "AND c.kind = 'room' AND lower(c.room) = :room_key"
        let columns = Self.messageColumns.split(separator: ",").map { "m." + $0.trimmingCharacters(in: .whitespaces) }
        let sql = """
            SELECT s.rowid AS position, \(columns.joined(separator: ", ")),
                c.kind, c.room, c.user_a, c.user_b
            FROM message_search s
            JOIN message_search_rows r ON r.id = s.rowid
            JOIN messages m ON m.conversation_key = r.conversation_key AND m.seq = r.seq
            JOIN conversations c ON c.key = m.conversation_key
            WHERE message_search MATCH :match AND s.rowid < :before AND \(Self.searchable) \(roomFilter)
              AND \(Self.readable)
            ORDER BY s.rowid DESC LIMIT :limit
            """
        let match =
            "text : " + SearchTextNormalizer.indexed(query.terms).fts5Expression
            + (query.room.map { " AND scope : \"\(Self.scopeToken(room: $0))\"" } ?? "")
        let before = query.before?.position ?? Int64.max
        let reader = query.reader
        let now = query.now
        let limit = query.limit + 1
        let roomKey = query.room.map(Room.key(for:))
        let matcher = SearchTextMatcher(query.terms, substrings: false)
        let hits = try await guarded {
            try await pool.read { db in
                var arguments: [String: (any DatabaseValueConvertible)?] = [
                    "match": match, "before": before, "reader": reader, "reader_key": reader.map(Account.key(for:)),
                    "now": now, "limit": limit,
                ]
                if let roomKey { arguments["room_key"] = roomKey }
                return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                    let message = Self.message(row)
                    return SearchHit(
                        message: message, conversation: try Self.conversation(row),
                        snippet: matcher.snippet(of: message.text), cursor: SearchCursor(position: row["position"]))
                }
            }
        }
        return .trimming(hits, limit: query.limit)
    }

    /// A room's search scope token (`SQLiteSchema.searchScope`): `r` and the hex of its
    /// lower-cased name's UTF-8.
    static func scopeToken(room: String) -> String {
        "r"
            + Room.key(for: room).utf8.map { byte in
                let hex = String(byte, radix: 16)
                return byte < 16 ? "0" + hex : hex
            }.joined()
    }

    /// The conversation of a row with `kind`, `room`, `user_a` and `user_b`.
    static func conversation(_ row: Row) throws -> Conversation {
        let kind: String = row["kind"]
        switch kind {
        case "room": return .room(row["room"])
        case "dm": return .direct(row["user_a"], row["user_b"])
        default: throw StoreError(.unavailable, "conversation of unknown kind `\(kind)`")
        }
    }
}
