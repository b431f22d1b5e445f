/// The stable, machine-readable reason carried by every `error` frame.
///
/// Clients switch on the code; the human `message` beside it may change wording at any time.
/// The set is open (new codes may appear), so clients must treat an unknown code as a generic
/// error. Every code is documented with an example in docs/PROTOCOL.md.
public struct ErrorCode: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// The frame is not valid JSON, or not a JSON object.
    public static let badJSON = ErrorCode(rawValue: "bad_json")
    /// The frame's `type` is not one the server knows.
    public static let unknownType = ErrorCode(rawValue: "unknown_type")
    /// A field is missing, has the wrong JSON type, or an invalid value.
    public static let invalidField = ErrorCode(rawValue: "invalid_field")
    /// A room name is not `[A-Za-z0-9_-]{1,32}`.
    public static let invalidRoom = ErrorCode(rawValue: "invalid_room")
    /// A user name or nickname is not `[A-Za-z0-9_-]{1,32}`.
    public static let invalidName = ErrorCode(rawValue: "invalid_name")
    /// The text is empty.
    public static let emptyText = ErrorCode(rawValue: "empty_text")
    /// The text has more Unicode scalars than the server allows.
    public static let textTooLong = ErrorCode(rawValue: "text_too_long")
    /// A frame other than `hello` or `ping` arrived before `hello`.
    public static let notIdentified = ErrorCode(rawValue: "not_identified")
    /// A second `hello` on a session that already has one.
    public static let alreadyIdentified = ErrorCode(rawValue: "already_identified")
    /// The nickname is in use by a user who is online.
    public static let nickTaken = ErrorCode(rawValue: "nick_taken")
    /// A guest asked for the name of a registered account.
    public static let nameReserved = ErrorCode(rawValue: "name_reserved")
    /// The server requires an account (`--require-auth`): `hello` must carry a `token`.
    public static let authRequired = ErrorCode(rawValue: "auth_required")
    /// The `hello` token was not issued by this server (mistyped or tampered with).
    public static let invalidToken = ErrorCode(rawValue: "invalid_token")
    /// The `hello` token's lifetime is over; log in again.
    public static let tokenExpired = ErrorCode(rawValue: "token_expired")
    /// The `hello` token was revoked by logout; log in again.
    public static let tokenRevoked = ErrorCode(rawValue: "token_revoked")
    /// A direct message or typing indicator was addressed to a user who is not online.
    public static let userOffline = ErrorCode(rawValue: "user_offline")
    /// The frame names a room this session has not joined.
    public static let notMember = ErrorCode(rawValue: "not_member")
    /// The session is already in that room.
    public static let alreadyJoined = ErrorCode(rawValue: "already_joined")
    /// The session is already in as many rooms as the server allows.
    public static let tooManyRooms = ErrorCode(rawValue: "too_many_rooms")
    /// A `read` position is not a message of the conversation.
    public static let invalidSeq = ErrorCode(rawValue: "invalid_seq")
    /// A binary WebSocket frame; the protocol is JSON text frames.
    public static let unsupportedFrame = ErrorCode(rawValue: "unsupported_frame")
    /// The same `cid` was reused for a different message.
    public static let cidConflict = ErrorCode(rawValue: "cid_conflict")
    /// Too many frames too fast.
    public static let rateLimited = ErrorCode(rawValue: "rate_limited")
    /// The store or the broker is unavailable; the request may be retried with the same `cid`.
    public static let unavailable = ErrorCode(rawValue: "unavailable")
    /// The server failed unexpectedly; the request may be retried.
    public static let internalError = ErrorCode(rawValue: "internal")

    /// The user's role (or being a guest) does not allow this in the room.
    public static let forbidden = ErrorCode(rawValue: "forbidden")
    /// The user is banned from the room (the message says until when).
    public static let banned = ErrorCode(rawValue: "banned")
    /// The user is muted in the room (the message says until when).
    public static let muted = ErrorCode(rawValue: "muted")
    /// The room is private or invite-only and the user holds no invitation.
    public static let notInvited = ErrorCode(rawValue: "not_invited")
    /// A room with this name (compared without regard to case) already exists.
    public static let roomExists = ErrorCode(rawValue: "room_exists")
    /// No room has this name.
    public static let noSuchRoom = ErrorCode(rawValue: "no_such_room")
    /// No account has this name.
    public static let noSuchUser = ErrorCode(rawValue: "no_such_user")
    /// An edit, delete, reaction or reply of a `seq` that is no message of the conversation.
    public static let noSuchMessage = ErrorCode(rawValue: "no_such_message")
    /// An edit of, reaction to or reply to a deleted message.
    public static let messageDeleted = ErrorCode(rawValue: "message_deleted")
    /// A reaction that would give a message more than 20 different emoji.
    public static let tooManyReactions = ErrorCode(rawValue: "too_many_reactions")
    /// A DM to a user who blocked the sender.
    public static let blocked = ErrorCode(rawValue: "blocked")
    /// `send.attachments` names an upload that does not exist or is not the sender's.
    public static let noSuchUpload = ErrorCode(rawValue: "no_such_upload")
    /// `send.attachments` names more than `MessageDraft.maxAttachments` uploads.
    public static let tooManyAttachments = ErrorCode(rawValue: "too_many_attachments")
}

extension ProtocolError {
    /// The `error` a `RoomStore` refusal becomes on the socket: the store's code and message.
    init(_ refusal: RoomStoreError, cid: String? = nil, ref: String?) {
        self.init(ErrorCode(rawValue: refusal.code.rawValue), refusal.message, cid: cid, ref: ref)
    }
}
