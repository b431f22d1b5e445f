/// A registered user's unread state in one of their stored rooms, for `welcome`: so every
/// device shows the same badges, from the server's read position.
public struct UnreadRoom: Sendable, Equatable, Codable {
    /// Counts stop here: a badge says "1000+", and the query stays bounded.
    public static let countLimit: Int64 = 1000

    /// The room's stored name.
    public var room: String
    /// Messages of others after the read position (not update entries, events or deleted
    /// messages), at most `countLimit`.
    public var count: Int64
    /// Those of them that mention the user, at most `countLimit`.
    public var mentions: Int64
    /// The room's newest `seq`.
    public var lastSeq: Int64
    /// The user's read position (0 when never read).
    public var readSeq: Int64

    public init(room: String, count: Int64, mentions: Int64, lastSeq: Int64, readSeq: Int64) {
        self.room = room
        self.count = count
        self.mentions = mentions
        self.lastSeq = lastSeq
        self.readSeq = readSeq
    }

    /// Whether `message`, from after the read position, counts as unread for `user`, and
    /// whether it mentions them: the rule every store applies.
    public static func counts(_ message: StoredMessage, for user: String) -> (unread: Bool, mention: Bool) {
        guard message.from != user, message.update == nil, message.event == nil, message.deletedBy == nil else {
            return (false, false)
        }
        return (true, message.mentions.contains(user))
    }
}
