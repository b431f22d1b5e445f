/// `invite`, `kick`, `ban`, `unban`, `mute`, `unmute` and `set_role`: one moderator acting on
/// one user of one room. They share their fields, so one type carries them, told apart by
/// `action` (the frame's `type`).
public struct ModerationFrame: Sendable, Equatable {
    /// The frame's `type`.
    public enum Action: String, Sendable, CaseIterable {
        case invite, kick, ban, unban, mute, unmute
        case setRole = "set_role"
    }

    public var action: Action
    public var room: String
    public var user: String
    /// For kick, ban and mute: why, shown to the room.
    public var reason: String?
    /// For ban and mute: when it ends (ms since 1970); absent: for ever.
    public var until: Int64?
    /// For `set_role`: the new role.
    public var role: RoomRole?

    public init(
        _ action: Action, room: String, user: String, reason: String? = nil, until: Int64? = nil, role: RoomRole? = nil
    ) {
        self.action = action
        self.room = room
        self.user = user
        self.reason = reason
        self.until = until
        self.role = role
    }

    /// The fields as they arrive; `action` comes from the envelope's `type`.
    struct Fields: Decodable {
        var room: String
        var user: String
        var reason: String?
        var until: Int64?
        var role: RoomRole?
    }

    init(_ action: Action, _ fields: Fields) {
        self.init(
            action, room: fields.room, user: fields.user, reason: fields.reason, until: fields.until, role: fields.role)
    }
}
