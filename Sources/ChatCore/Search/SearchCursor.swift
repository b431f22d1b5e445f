/// Where a page of search results ends: the next page asks for results before it.
///
/// It is a store-assigned position that grows with the order in which the store received the
/// messages (SQLite: the search index's row id; PostgreSQL: the `search_position` identity
/// column; memory: a counter). Clients treat its text as opaque: they pass back the `next` they
/// were given, nothing else.
public struct SearchCursor: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The position; results strictly below it come next.
    public var position: Int64

    public init(position: Int64) {
        self.position = position
    }

    /// Reads the cursor a client passed back; nil when it is not one this server handed out.
    public init?(text: String) {
        guard let position = Int64(text), position >= 1 else { return nil }
        self.position = position
    }

    /// The cursor as the API hands it out.
    public var description: String { String(position) }

    public static func < (lhs: SearchCursor, rhs: SearchCursor) -> Bool { lhs.position < rhs.position }
}
