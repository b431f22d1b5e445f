/// A direct conversation with messages its user has not read yet.
///
/// Sent in `welcome` so a user who signs in sees at once who wrote while they were away, and
/// from which `seq` to fetch (`history` with `peer`), without asking every conversation.
public struct UnreadConversation: Sendable, Equatable, Codable {
    /// The other party of the direct conversation.
    public var peer: String
    /// Messages from `peer` after the user's read position.
    public var count: Int64
    /// The newest `seq` of the conversation.
    public var lastSeq: Int64
    /// The user's read position (0 when never read).
    public var readSeq: Int64

    public init(peer: String, count: Int64, lastSeq: Int64, readSeq: Int64) {
        self.peer = peer
        self.count = count
        self.lastSeq = lastSeq
        self.readSeq = readSeq
    }
}
