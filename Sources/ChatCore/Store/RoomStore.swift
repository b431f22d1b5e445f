/// Where rooms, their members, roles, invitations, bans, mutes, the moderation log and users'
/// block lists are kept: the authority on who may join, read, send and moderate.
///
/// Names compare case-insensitively (`Room.key(for:)`, `Account.key(for:)`), so `Lobby` and
/// `lobby` are one room. Whether a user is a guest or a server `admin` is read from the accounts
/// beside the rooms (a name with no account is a guest), never taken from the caller, so no
/// caller can promote a guest. Every method that changes a room checks the actor's role first
/// (`RoomPolicy`), then writes the change and its moderation log entry in one transaction.
///
/// Every method throws `RoomStoreError` for a refusal and `StoreError(.unavailable)` when the
/// store cannot be reached. `now` is milliseconds since 1970, passed in so tests control time.
public protocol RoomStore: Sendable {
    // MARK: Rooms

    /// Creates `room`; its creator, when registered, becomes its owner and first member.
    ///
    /// - Throws: `.roomExists` when the name is taken (any case); `.forbidden` when a guest
    ///   asks for a `private` or `invite` room.
    func createRoom(_ room: Room) async throws -> Room

    /// Joins `user` to the room `name`, creating it as a public room when no room has the name
    /// (today's behaviour: a first `join` creates the room, so existing clients keep working).
    ///
    /// A registered user's membership is stored (`memberships(of:)` lists it on every device);
    /// a guest's is not. An invitation is used up by the join it allows.
    ///
    /// - Throws: `.banned` while a ban holds; `.notInvited` for a `private` or `invite` room the
    ///   user is neither a member of nor invited to (and always for guests in a `private` room).
    func join(room name: String, user: String, now: Int64) async throws -> RoomJoin

    /// Removes `user`'s stored membership; false when there was none.
    func leave(room name: String, user: String) async throws -> Bool

    /// The room called `name` (any case), or nil.
    func room(named name: String) async throws -> Room?

    /// The rooms the directory lists: `public` and `invite` ones, by name. `private` rooms are
    /// never listed.
    func directoryRooms() async throws -> [Room]

    /// Every room, by name: for the operator's command line.
    func allRooms() async throws -> [Room]

    /// Changes the topic and/or visibility (nil leaves it).
    ///
    /// - Throws: `.noSuchRoom`; `.forbidden` unless the actor is an owner, an admin or the
    ///   operator.
    func updateRoom(
        named name: String, topic: String?, visibility: RoomVisibility?, by actor: RoomActor, now: Int64
    )
        async throws -> Room

    /// Deletes the room with its members, invitations, bans and mutes (the moderation log stays).
    ///
    /// - Throws: `.noSuchRoom`; `.forbidden` unless the actor is an owner, an admin or the operator.
    func deleteRoom(named name: String, by actor: RoomActor, now: Int64) async throws

    // MARK: Members and roles

    /// The stored members (spelled as registered), owners first, then moderators, then members, each by name.
    func members(of room: String) async throws -> [RoomMember]

    /// `user`'s role in `room`, or nil when not a stored member.
    func role(of user: String, in room: String) async throws -> RoomRole?

    /// `user`'s rooms, by name: what `welcome` restores on every device.
    func memberships(of user: String) async throws -> [RoomMembership]

    /// Gives `user` `role` in `room`, making them a member first if they are not one.
    ///
    /// - Throws: `.noSuchRoom`; `.noSuchUser` when `user` has no account (guests never hold a
    ///   stored role); `.forbidden` unless the actor is an owner, an admin or the operator.
    func setRole(_ role: RoomRole, of user: String, in room: String, by actor: RoomActor, now: Int64) async throws

    /// Invites `user` into a `private` or `invite` room (a no-op for a public one).
    ///
    /// - Throws: `.noSuchRoom`; `.noSuchUser` (only registered users can be invited);
    ///   `.forbidden` unless the actor is a moderator or above, an admin or the operator.
    func invite(_ user: String, to room: String, by actor: RoomActor, now: Int64) async throws

    /// Whether `user` holds an unused invitation to `room`.
    func isInvited(_ user: String, to room: String) async throws -> Bool

    // MARK: Moderation

    /// Removes `user`'s membership; in a `private` or `invite` room they need a new invitation.
    ///
    /// - Throws: `.noSuchRoom`; `.forbidden` unless the actor outranks the target
    ///   (`RoomPolicy.authorizeModeration`).
    func kick(_ user: String, from room: String, reason: String, by actor: RoomActor, now: Int64) async throws

    /// Bans `user` (a registered name or a guest nick) until `until` (nil: for good), removing
    /// their membership and invitation.
    ///
    /// - Throws: like `kick`.
    func ban(
        _ user: String, from room: String, until: Int64?, reason: String, by actor: RoomActor, now: Int64)
        async throws

    /// Lifts a ban; false when there was none.
    ///
    /// - Throws: `.noSuchRoom`; `.forbidden` unless the actor is a moderator or above.
    func unban(_ user: String, in room: String, by actor: RoomActor, now: Int64) async throws -> Bool

    /// The bans that hold at `now`, by name.
    func bans(in room: String, now: Int64) async throws -> [RoomBan]

    /// Mutes `user` until `until` (nil: until unmuted).
    ///
    /// - Throws: like `kick`.
    func mute(_ user: String, in room: String, until: Int64?, by actor: RoomActor, now: Int64) async throws

    /// Lifts a mute; false when there was none.
    func unmute(_ user: String, in room: String, by actor: RoomActor, now: Int64) async throws -> Bool

    /// The mutes that hold at `now`, by name.
    func mutes(in room: String, now: Int64) async throws -> [RoomMute]

    /// The newest `limit` entries of the room's moderation log, oldest first.
    func moderationLog(of room: String, limit: Int) async throws -> [ModerationEntry]

    // MARK: The hub's and the history API's checks

    /// Whether `user` may send to `room` now; returns quietly when they may.
    ///
    /// Unknown rooms and public rooms need no stored membership (guests send there).
    ///
    /// - Throws: `.banned`, `.muted`, or `.notMember` for a `private` or `invite` room.
    func authorizeSend(user: String, room: String, now: Int64) async throws

    /// Whether `user` (nil: no token) may read `room`'s history; returns the room when it is
    /// stored, nil when it is unknown (whose history is empty and public).
    ///
    /// - Throws: `.forbidden` for a `private` or `invite` room unless `user` is a member or an
    ///   admin; `.banned` while `user` is banned.
    func authorizeRead(user: String?, room: String, now: Int64) async throws -> Room?

    // MARK: Block lists

    /// Adds `blocked` to `user`'s block list (idempotent).
    func block(_ blocked: String, by user: String, now: Int64) async throws

    /// Removes `blocked` from `user`'s block list; false when it was not there.
    func unblock(_ blocked: String, by user: String) async throws -> Bool

    /// `user`'s block list, by name as blocked.
    func blockedUsers(of user: String) async throws -> [String]

    /// Whether `recipient` blocked `sender` (names compared case-insensitively).
    func hasBlocked(_ recipient: String, _ sender: String) async throws -> Bool

    // MARK: Direct conversations

    /// The peers of `user`'s stored direct conversations that hold a message, by name.
    func directPeers(of user: String) async throws -> [String]

    /// The unread and mention counts of every stored room of `user`, by room name: `welcome`
    /// reports them, so badges are the same on every device.
    func unreadRooms(of user: String) async throws -> [UnreadRoom]
}
