/// What a bot's token allows: the rooms it may post to, and whether it may also read them.
///
/// A bot is an automated account an operator made (`rabbitchat bot create`, the admin API), so it
/// gets exactly the rooms it was made for and nothing a user has by default: no direct messages,
/// no room creation or moderation, and no reading unless `mayRead` was granted. Reading covers
/// the same rooms as posting; it is what lets a bot join them over `/ws` and receive their
/// events. Room names compare case-insensitively, as rooms do (`Room.key(for:)`).
public struct BotScope: Sendable, Equatable {
    /// The rooms the bot may post to, spelled as the operator gave them.
    public var rooms: [String]
    /// Whether the bot may also read those rooms (join them over `/ws`, read their history).
    public var mayRead: Bool

    public init(rooms: [String], mayRead: Bool) {
        self.rooms = rooms
        self.mayRead = mayRead
    }

    /// Whether the scope names `room` (in any case).
    public func covers(_ room: String) -> Bool {
        let key = Room.key(for: room)
        return rooms.contains { Room.key(for: $0) == key }
    }

    /// Whether the bot may post to `room`.
    public func mayPost(to room: String) -> Bool { covers(room) }

    /// Whether the bot may read `room` (join it, read its history).
    public func mayRead(_ room: String) -> Bool { mayRead && covers(room) }
}
