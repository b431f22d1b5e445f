/// What a bot's post stored: the message, the room as stored, and whether it was a retry.
public struct BotPost: Sendable, Equatable {
    /// The room's stored spelling (`Deploys` when the bot named it `deploys`).
    public var room: String
    /// The stored message, with its `id` and `seq`.
    public var message: StoredMessage
    /// True when the bot's `cid` was already stored: the same message, nothing stored twice.
    public var duplicate: Bool

    public init(room: String, message: StoredMessage, duplicate: Bool) {
        self.room = room
        self.message = message
        self.duplicate = duplicate
    }
}
