/// `invited`: tells every session of a user that they may now join a `private` or `invite`
/// room, so the invitation is seen without knowing the room's name.
public struct InvitedFrame: Encodable, Sendable, Equatable {
    public let type = "invited"
    public var room: String
    public var by: String

    public init(room: String, by: String) {
        self.room = room
        self.by = by
    }
}
