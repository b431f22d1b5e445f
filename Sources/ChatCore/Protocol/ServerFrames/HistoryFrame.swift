/// `history`: a page of older messages, newest first.
public struct HistoryFrame: Encodable, Sendable {
    public let type = "history"
    public var room: String?
    public var peer: String?
    public var messages: [MessageFrame]
    /// Whether older messages exist before the last one in this page.
    public var hasMore: Bool

    public init(room: String?, peer: String?, messages: [MessageFrame], hasMore: Bool) {
        self.room = room
        self.peer = peer
        self.messages = messages
        self.hasMore = hasMore
    }
}
