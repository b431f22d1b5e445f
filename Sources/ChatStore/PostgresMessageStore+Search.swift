package import ChatCore
import Foundation
import PostgresNIO

/// `MessageSearch` on PostgreSQL: the generated `tsvector` column `search_vector` (the `simple`
/// configuration: lower-cased words, no stemming, no stop words) of each message's
/// `search_text` (migration 12: `SearchTextNormalizer.indexText`, written with the text) with a
/// GIN index, queried with `websearch_to_tsquery` (plus `to_tsquery` for prefixes, which it
/// lacks) of the terms normalised the same way; snippets from the text by `SearchTextMatcher`
/// (`ts_headline` would excerpt the normalised text). Migrations 5 and 12 (`PostgresSchema`).
///
/// Newest first is `search_position` (an identity column: arrival order) descending, so the
/// planner can read a common word off the position index backwards and a rare one from the GIN
/// index. The tsquery is written out in the statement (not computed in a subquery), so each
/// execution is planned with the real words' statistics.
extension PostgresMessageStore: MessageSearch {
    /// Which stored messages search may return (`m` is `messages`): chat messages, never room
    /// events, edit/delete/reaction entries or deleted messages (whose text is emptied anyway).
    /// The one place that says so. (`search_vector` is NULL for events only: the lifecycle
    /// columns came in migration 6, after it.)
    static let searchable = "m.event IS NULL AND m.update_json IS NULL AND m.deleted_by IS NULL"

    /// Whether the reader (`reader`, '' for a guest; `readerKey` its account key) may read the
    /// conversation `c`: the rule of `RoomStore.authorizeRead` for rooms (a room the store does
    /// not know is public), the two parties for a direct conversation.
    static func readable(reader: String, readerKey: String, now: String) -> String {
        """
        CASE c.kind
          WHEN 'dm' THEN \(reader) <> '' AND (c.user_a = \(reader) OR c.user_b = \(reader))
          ELSE NOT EXISTS (
            SELECT 1 FROM rooms ro WHERE ro.name_key = lower(c.room) AND ro.visibility <> 'public' AND (
              \(reader) = ''
              OR EXISTS (SELECT 1 FROM room_bans b WHERE b.room_key = ro.name_key AND b.user_key = \(readerKey)
                         AND (b.until IS NULL OR b.until > \(now)))
              OR (NOT EXISTS (SELECT 1 FROM accounts a WHERE a.name_key = \(readerKey) AND a.is_admin
                              AND a.disabled_at IS NULL)
                  AND NOT EXISTS (SELECT 1 FROM room_members rm WHERE rm.room_key = ro.name_key
                                  AND rm.user_key = \(readerKey)))))
        END
        """
    }

    /// Up to how many estimated matches (about 10 µs each) a search reads every match from the
    /// GIN index and sorts them (cost grows with the matches), rather than walking
    /// `search_position` backwards and testing each row (cost grows with the rows passed until a
    /// page of readable matches is found). The planner, left alone, walks backwards whenever it
    /// expects a page soon; for a word that is rare and mostly where the reader may not look (its
    /// estimate cannot know that), that walk passes every row of the table. docs/BENCHMARKS.md,
    /// "Search", has both.
    static let fewMatches = 3_000

    /// The planner's estimate of the rows of an `EXPLAIN`ed statement (its top node's `rows=`).
    static func matchEstimate(_ rows: PostgresQueryResult) throws -> Int {
        for row in rows {
            let line = try row.decode(String.self)
            guard let range = line.range(of: "rows=") else { continue }
            return Int(line[range.upperBound...].prefix(while: \.isNumber)) ?? Int.max
        }
        return Int.max
    }

    package func search(_ query: SearchQuery) async throws -> SearchPage {
        guard query.terms.isSearchable else { return SearchPage(hits: [], next: nil) }
        // Fixed SQL and bound values only ($n); the tsquery parts that are empty are left out.
        var binds = PostgresBindings()
        func bind(_ value: String) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        func bind(_ value: Int64) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        let indexed = SearchTextNormalizer.indexed(query.terms)
        let websearch = indexed.websearchText
        let prefixes = indexed.prefixTSQueryText
        var parts: [String] = []
        if !websearch.isEmpty { parts.append("websearch_to_tsquery('simple', \(bind(websearch)))") }
        if !prefixes.isEmpty { parts.append("to_tsquery('simple', \(bind(prefixes)))") }
        let tsquery = "(" + parts.joined(separator: " && ") + ")"
        // The same tsquery ($1, $2) on its own, for the planner's estimate of its matches.
        let estimateBinds = binds
        let reader = bind(query.reader ?? "")
        let readerKey = bind(query.reader.map(Account.key(for:)) ?? "")
        // The room's conversations by key too, so the planner can read just their rows
        // (`messages`' primary key) when that is cheaper than the word's matches.
        let roomFilter =
            query.room.map { room in
                let key = bind(Room.key(for: room))
                return """
                    AND c.kind = 'room' AND lower(c.room) = \(key)
                    AND m.conversation_key IN (SELECT key FROM conversations WHERE kind = 'room' AND lower(room) = \(key))
                    """
            } ?? ""
        let estimate = try await guarded {
            try await Self.matchEstimate(
                self.query(
                    PostgresQuery(
                        unsafeSQL: "EXPLAIN SELECT 1 FROM messages WHERE search_vector @@ \(tsquery)",
                        binds: estimateBinds)))
        }
        // `+ 0` hides the position index from the ORDER BY: the GIN bitmap and a sort remain.
        let orderBy = estimate <= Self.fewMatches ? "m.search_position + 0" : "m.search_position"
        let columns = Self.messageColumns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let sql = """
            SELECT \(columns.map { "hit." + $0 }.joined(separator: ", ")),
                hit.search_position, hit.kind, hit.room, hit.user_a, hit.user_b
            FROM (
                SELECT \(columns.map { "m." + $0 }.joined(separator: ", ")),
                    m.search_position, c.kind, c.room, c.user_a, c.user_b
                FROM messages m JOIN conversations c ON c.key = m.conversation_key
                WHERE m.search_vector @@ \(tsquery) AND m.search_position < \(bind(query.before?.position ?? Int64.max))
                  AND \(Self.searchable) \(roomFilter)
                  AND \(Self.readable(reader: reader, readerKey: readerKey, now: bind(query.now)))
                ORDER BY \(orderBy) DESC
                LIMIT \(bind(Int64(query.limit + 1)))
            ) hit
            ORDER BY hit.search_position DESC
            """
        let matcher = SearchTextMatcher(query.terms, substrings: false)
        let hits = try await guarded {
            let rows = try await self.query(PostgresQuery(unsafeSQL: sql, binds: binds))
            // The message's columns first (`messages(_:)` reads them), then the search's.
            return try zip(rows, Self.messages(rows)).map { row, message in
                let extra = row.makeRandomAccess()
                let first = columns.count
                let position = try extra[first].decode(Int64.self)
                let kind = try extra[first + 1].decode(String.self)
                let room = try extra[first + 2].decode(String?.self)
                let userA = try extra[first + 3].decode(String?.self)
                let userB = try extra[first + 4].decode(String?.self)
                let conversation: Conversation
                switch (kind, room, userA, userB) {
                case ("room", let room?, _, _): conversation = .room(room)
                case ("dm", _, let a?, let b?): conversation = .direct(a, b)
                default: throw StoreError(.unavailable, "conversation \(message.conversationKey) has an unknown shape")
                }
                return SearchHit(
                    message: message, conversation: conversation, snippet: matcher.snippet(of: message.text),
                    cursor: SearchCursor(position: position))
            }
        }
        return .trimming(hits, limit: query.limit)
    }
}
