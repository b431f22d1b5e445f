/// One page of a search: what to look for, for whom, where, and from which position on.
public struct SearchQuery: Sendable, Equatable {
    /// What the user typed, parsed (`SearchTerms(parsing:)`).
    public var terms: SearchTerms
    /// The reader whose rights limit the results; nil for a guest without a token, who reads
    /// public rooms only.
    public var reader: String?
    /// Only this room (any spelling); nil searches every conversation the reader may read.
    public var room: String?
    /// Only results older than this position (the previous page's `next`); nil starts at the newest.
    public var before: SearchCursor?
    /// How many results a page holds, at least 1.
    public var limit: Int
    /// Milliseconds since 1970: when bans are compared (a ban that has run out no longer holds).
    public var now: Int64

    public init(
        terms: SearchTerms, reader: String?, room: String? = nil, before: SearchCursor? = nil, limit: Int = 20,
        now: Int64 = ChatClock.wallMillis()
    ) {
        self.terms = terms
        self.reader = reader
        self.room = room
        self.before = before
        self.limit = max(1, limit)
        self.now = now
    }
}
