import Synchronization

/// `MessageSearch` in process memory: a case- and accent-insensitive substring search
/// (`SearchTextMatcher` with `substrings`, over `SearchTextNormalizer`'s tokens, so CJK and
/// emoji match as on SQLite and PostgreSQL) over the messages the store still holds, so `--database-url
/// memory:` searches too. It reads every held message per query: fine for tests and demos, not
/// for a big history (that is what SQLite and PostgreSQL are for).
extension InMemoryMessageStore: MessageSearch {
    /// Which stored messages search may return: chat messages, never room events,
    /// edit/delete/reaction entries or deleted messages. The one place that says so.
    static func searchable(_ message: StoredMessage) -> Bool {
        message.event == nil && message.update == nil && message.deletedBy == nil
    }

    public func search(_ query: SearchQuery) async throws -> SearchPage {
        guard query.terms.isSearchable else { return SearchPage(hits: [], next: nil) }
        let matcher = SearchTextMatcher(query.terms, substrings: true)
        let roomKey = query.room.map(Room.key(for:))
        let candidates = searchCandidates(before: query.before?.position ?? Int64.max) { conversation, message in
            if let roomKey {
                guard case .room(let name) = conversation, Room.key(for: name) == roomKey else { return false }
            }
            return Self.searchable(message) && matcher.matches(message.text)
        }
        var readable: [Conversation: Bool] = [:]
        var hits: [SearchHit] = []
        for candidate in candidates.sorted(by: { $0.position > $1.position }) {
            if readable[candidate.conversation] == nil {
                readable[candidate.conversation] = mayRead(candidate.conversation, reader: query.reader, now: query.now)
            }
            guard readable[candidate.conversation] == true else { continue }
            hits.append(
                SearchHit(
                    message: candidate.message, conversation: candidate.conversation,
                    snippet: matcher.snippet(of: candidate.message.text),
                    cursor: SearchCursor(position: candidate.position)))
            if hits.count > query.limit { break }
        }
        return .trimming(hits, limit: query.limit)
    }

    /// The rule every store applies: a room the reader may read its history of
    /// (`RoomStore.authorizeRead`), or a direct conversation the reader is a party to.
    func mayRead(_ conversation: Conversation, reader: String?, now: Int64) -> Bool {
        switch conversation {
        case .direct(let a, let b):
            guard let reader else { return false }
            return a == reader || b == reader
        case .room(let name):
            let facts = reader.map { accounts.roomFacts(of: $0) } ?? .guest
            return rooms.withLock { rooms in
                do {
                    // A room the store does not know (nil) is public.
                    _ = try rooms.authorizeRead(user: reader, facts: facts, room: name, now: now)
                    return true
                } catch {
                    return false
                }
            }
        }
    }
}
