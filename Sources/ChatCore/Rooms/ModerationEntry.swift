/// One line of a room's moderation log: who did what to whom, and when.
///
/// The log outlives a deleted room (its `delete` entry is the last), so an operator can still
/// read what happened.
public struct ModerationEntry: Sendable, Equatable {
    /// Increasing in the order the store recorded the entries.
    public var id: Int64
    /// The room's name as stored when the entry was made.
    public var room: String
    public var action: ModerationAction
    /// Who acted (`RoomActor.name`).
    public var actor: String
    /// Whom it concerned; nil for room-wide changes.
    public var target: String?
    /// The new topic, visibility or role, the ban's reason, or the `until` of a ban or mute;
    /// empty when the action has none.
    public var detail: String
    /// Milliseconds since 1970.
    public var createdAt: Int64
    /// For `edit`: the `seq` of the message edited.
    public var seq: Int64?

    public init(
        id: Int64, room: String, action: ModerationAction, actor: String, target: String?, detail: String,
        createdAt: Int64, seq: Int64? = nil
    ) {
        self.seq = seq
        self.id = id
        self.room = room
        self.action = action
        self.actor = actor
        self.target = target
        self.detail = detail
        self.createdAt = createdAt
    }
}
