/// What a prune would remove from one conversation.
public struct PrunePreview: Sendable, Equatable {
    public var conversation: Conversation
    /// How many messages would go.
    public var count: Int64
    /// The newest `seq` that would go: clients resuming from before it get `recovered: false`.
    public var throughSeq: Int64

    public init(conversation: Conversation, count: Int64, throughSeq: Int64) {
        self.conversation = conversation
        self.count = count
        self.throughSeq = throughSeq
    }
}
