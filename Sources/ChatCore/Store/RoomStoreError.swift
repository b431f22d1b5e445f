/// A refusal from a `RoomStore`, with the stable code the protocol's `error` frame and the HTTP
/// API carry.
public struct RoomStoreError: Error, Sendable, Equatable {
    /// What went wrong, stable for programs.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// A room with this name (case-insensitively) already exists.
        public static let roomExists = Code(rawValue: "room_exists")
        /// No room has this name, or it is private and the asker may not know of it.
        public static let noSuchRoom = Code(rawValue: "no_such_room")
        /// The actor's role (or being a guest) does not allow this.
        public static let forbidden = Code(rawValue: "forbidden")
        /// The user is banned from the room.
        public static let banned = Code(rawValue: "banned")
        /// The user is muted in the room.
        public static let muted = Code(rawValue: "muted")
        /// The room is private or invite-only and the user holds no invitation.
        public static let notInvited = Code(rawValue: "not_invited")
        /// The target (or the sender) is not a member of the room.
        public static let notMember = Code(rawValue: "not_member")
        /// No account has this name.
        public static let noSuchUser = Code(rawValue: "no_such_user")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}

extension RoomStoreError {
    /// `banned`, saying until when.
    public static func banned(from room: String, until: Int64?) -> RoomStoreError {
        RoomStoreError(
            .banned,
            until.map { "you are banned from `\(room)` until \($0) (ms since 1970)" } ?? "you are banned from `\(room)`"
        )
    }

    /// `muted`, saying until when.
    public static func muted(in room: String, until: Int64?) -> RoomStoreError {
        RoomStoreError(
            .muted,
            until.map { "you are muted in `\(room)` until \($0) (ms since 1970)" } ?? "you are muted in `\(room)`")
    }
}
