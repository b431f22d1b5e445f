/// `joined`: the answer to `join`, with the room's members and the messages the client needs.
///
/// `messages` is the backlog after `since` when the client asked for one (then `recovered`
/// says whether it is complete), else the most recent messages. Live messages follow it
/// without a gap and without a duplicate.
public struct JoinedFrame: Encodable, Sendable {
    public let type = "joined"
    public var room: String
    /// The conversation's history epoch; a change means old `seq`s no longer apply.
    public var epoch: String
    /// The users online in the room, sorted; in a large room only a sample of them.
    public var members: [String]
    /// How many users are online in the room.
    public var online: Int
    /// False when `members` is a sample (a room above the presence detail limit, whose
    /// join/leave events are replaced by counts); the client then shows `online` only.
    public var membersComplete: Bool
    /// The room's latest `seq` (0 for an empty room).
    public var lastSeq: Int64
    /// Backlog or recent messages, oldest first.
    public var messages: [MessageFrame]
    /// Present when the client sent `since`: whether `messages` is exactly what it missed.
    public var recovered: Bool?
    /// Why recovery failed, when `recovered` is false.
    public var reason: String?
    /// A registered user's read position in the room (0: never read), kept by the server for
    /// every device; absent for guests, or when the store could not say in time.
    public var readSeq: Int64?
    /// Who has read the room how far (at most 50, the most recent readers), so a reloaded
    /// client still shows read receipts; absent for a room without messages.
    public var reads: [Reader]?
    /// False when `reads` lists only the 50 most recent readers.
    public var readsComplete: Bool?

    /// One member's read position.
    public struct Reader: Encodable, Sendable, Equatable {
        public var user: String
        public var seq: Int64

        public init(user: String, seq: Int64) {
            self.user = user
            self.seq = seq
        }
    }

    public init(
        room: String, epoch: String, members: [String], online: Int? = nil, lastSeq: Int64,
        messages: [MessageFrame], recovered: Bool?, reason: String?
    ) {
        self.room = room
        self.epoch = epoch
        self.members = members
        self.online = max(online ?? members.count, members.count)
        self.membersComplete = self.online == members.count
        self.lastSeq = lastSeq
        self.messages = messages
        self.recovered = recovered
        self.reason = reason
    }
}
