/// A stored conversation as the pruner sees it.
public struct RetentionScope: Sendable, Equatable {
    public var conversation: Conversation
    /// The room's override (`MessageRetention.roomRetention`); nil for a direct conversation
    /// and for a room that follows the server's setting.
    public var roomRetentionDays: Int?

    public init(conversation: Conversation, roomRetentionDays: Int? = nil) {
        self.conversation = conversation
        self.roomRetentionDays = roomRetentionDays
    }
}
