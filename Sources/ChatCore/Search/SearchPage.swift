/// One page of search results, newest first.
public struct SearchPage: Sendable, Equatable {
    /// The matching messages, newest first.
    public var hits: [SearchHit]
    /// Where the next (older) page starts; nil when this page is the last.
    public var next: SearchCursor?

    public init(hits: [SearchHit], next: SearchCursor?) {
        self.hits = hits
        self.next = next
    }

    /// The page of `limit` hits from `hits` fetched with one extra row: the extra one only says
    /// that there is more.
    public static func trimming(_ hits: [SearchHit], limit: Int) -> SearchPage {
        guard hits.count > limit else { return SearchPage(hits: hits, next: nil) }
        let page = Array(hits.prefix(limit))
        return SearchPage(hits: page, next: page.last?.cursor)
    }
}
