/// One search result: the message, where it was said, and the part of it that matched.
public struct SearchHit: Sendable, Equatable {
    /// The stored message, text verbatim.
    public var message: StoredMessage
    /// The room or direct conversation it belongs to (to jump to it).
    public var conversation: Conversation
    /// An excerpt of the text with the matching words marked.
    public var snippet: SearchSnippet
    /// This hit's position: a page that ends here continues before it.
    public var cursor: SearchCursor

    public init(message: StoredMessage, conversation: Conversation, snippet: SearchSnippet, cursor: SearchCursor) {
        self.message = message
        self.conversation = conversation
        self.snippet = snippet
        self.cursor = cursor
    }
}
