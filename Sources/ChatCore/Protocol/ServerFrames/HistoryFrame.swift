/// `history`: a page of older messages, newest first.
public struct HistoryFrame: Encodable, Sendable {
    public let type = "history"
    public var room: String?
    public var peer: String?
    public var messages: [MessageFrame]
    /// Whether older messages exist before the last one in this page.
    public var hasMore: Bool
    /// For a direct conversation: how far the peer has read it, so the sender's page shows
    /// "Read" after a reload as it did live (rooms have `joined.reads`). Absent when the store
    /// could not say.
    public var reads: [JoinedFrame.Reader]?

    public init(room: String?, peer: String?, messages: [MessageFrame], hasMore: Bool) {
        self.room = room
        self.peer = peer
        self.messages = messages
        self.hasMore = hasMore
    }
}
