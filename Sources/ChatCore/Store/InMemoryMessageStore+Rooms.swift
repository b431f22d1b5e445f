import Synchronization

/// `RoomStore` in process memory: each call runs under the rooms' lock as one call of
/// `InMemoryRooms`, which reads the account facts it decides on inside that lock, so no decision
/// is made on stale roles (the durable stores get the same from a transaction).
extension InMemoryMessageStore: RoomStore {
    private func accountFacts(_ name: String) -> InMemoryRooms.AccountFacts { accounts.roomFacts(of: name) }

    func actorFacts(_ actor: RoomActor) -> InMemoryRooms.AccountFacts {
        switch actor {
        case .user(let name): accountFacts(name)
        case .serverOperator: .guest
        }
    }

    // MARK: Rooms

    public func createRoom(_ room: Room) async throws -> Room {
        try rooms.withLock { rooms throws(RoomStoreError) in try rooms.create(room, facts: accountFacts(room.creator)) }
    }

    public func join(room name: String, user: String, now: Int64) async throws -> RoomJoin {
        try rooms.withLock { rooms throws(RoomStoreError) in
            try rooms.join(name, user: user, facts: accountFacts(user), now: now)
        }
    }

    public func leave(room name: String, user: String) async throws -> Bool {
        rooms.withLock { $0.leave(name, user: user) }
    }

    public func room(named name: String) async throws -> Room? {
        rooms.withLock { $0.room(named: name) }
    }

    public func directoryRooms() async throws -> [Room] {
        rooms.withLock { $0.directoryRooms() }
    }

    public func allRooms() async throws -> [Room] {
        rooms.withLock { $0.allRooms() }
    }

    public func updateRoom(
        named name: String, topic: String?, visibility: RoomVisibility?, by actor: RoomActor, now: Int64
    )
        async throws -> Room
    {
        try rooms.withLock { rooms throws(RoomStoreError) in
            try rooms.update(name, topic: topic, visibility: visibility, by: actor, facts: actorFacts(actor), now: now)
        }
    }

    public func deleteRoom(named name: String, by actor: RoomActor, now: Int64) async throws {
        try rooms.withLock { rooms throws(RoomStoreError) in
            try rooms.delete(name, by: actor, facts: actorFacts(actor), now: now)
        }
    }

    // MARK: Members and roles

    public func members(of room: String) async throws -> [RoomMember] {
        rooms.withLock { $0.members(of: room) { self.accountFacts($0).registeredName } }
    }

    public func role(of user: String, in room: String) async throws -> RoomRole? {
        rooms.withLock { $0.role(of: user, in: room) }
    }

    public func memberships(of user: String) async throws -> [RoomMembership] {
        rooms.withLock { $0.memberships(of: user) }
    }

    public func unreadRooms(of user: String) async throws -> [UnreadRoom] {
        let names = rooms.withLock { $0.memberships(of: user) }.map(\.room.name)
        return names.map { name in unreadRoom(name, of: user) }
    }

    public func setRole(
        _ role: RoomRole, of user: String, in room: String, by actor: RoomActor, now: Int64
    ) async throws {
        try rooms.withLock { rooms throws(RoomStoreError) in
            try rooms.setRole(
                role, of: user, userFacts: accountFacts(user), in: room, by: actor, actorFacts: actorFacts(actor),
                now: now)
        }
    }

    public func invite(_ user: String, to room: String, by actor: RoomActor, now: Int64) async throws {
        try rooms.withLock { rooms throws(RoomStoreError) in
            try rooms.invite(
                user, userFacts: accountFacts(user), to: room, by: actor, actorFacts: actorFacts(actor), now: now)
        }
    }

    public func isInvited(_ user: String, to room: String) async throws -> Bool {
        rooms.withLock { $0.isInvited(user, to: room) }
    }

    // MARK: Moderation

    private func sanction(
        _ sanction: InMemoryRooms.Sanction, _ user: String, in room: String, by actor: RoomActor, now: Int64
    )
        throws(RoomStoreError)
    {
        try rooms.withLock { rooms throws(RoomStoreError) in
            try rooms.sanction(
                sanction, user, userFacts: accountFacts(user), in: room, by: actor, actorFacts: actorFacts(actor),
                now: now)
        }
    }

    public func kick(_ user: String, from room: String, reason: String, by actor: RoomActor, now: Int64) async throws {
        try sanction(.kick(reason: reason), user, in: room, by: actor, now: now)
    }

    public func ban(
        _ user: String, from room: String, until: Int64?, reason: String, by actor: RoomActor, now: Int64
    )
        async throws
    {
        try sanction(.ban(until: until, reason: reason), user, in: room, by: actor, now: now)
    }

    public func unban(_ user: String, in room: String, by actor: RoomActor, now: Int64) async throws -> Bool {
        try rooms.withLock { rooms throws(RoomStoreError) in
            try rooms.lift(ban: true, user, in: room, by: actor, actorFacts: actorFacts(actor), now: now)
        }
    }

    public func bans(in room: String, now: Int64) async throws -> [RoomBan] {
        rooms.withLock { $0.bans(in: room, now: now) }
    }

    public func mute(_ user: String, in room: String, until: Int64?, by actor: RoomActor, now: Int64) async throws {
        try sanction(.mute(until: until), user, in: room, by: actor, now: now)
    }

    public func unmute(_ user: String, in room: String, by actor: RoomActor, now: Int64) async throws -> Bool {
        try rooms.withLock { rooms throws(RoomStoreError) in
            try rooms.lift(ban: false, user, in: room, by: actor, actorFacts: actorFacts(actor), now: now)
        }
    }

    public func mutes(in room: String, now: Int64) async throws -> [RoomMute] {
        rooms.withLock { $0.mutes(in: room, now: now) }
    }

    public func moderationLog(of room: String, limit: Int) async throws -> [ModerationEntry] {
        rooms.withLock { $0.moderationLog(of: room, limit: limit) }
    }

    // MARK: Checks

    public func authorizeSend(user: String, room: String, now: Int64) async throws {
        try rooms.withLock { rooms throws(RoomStoreError) in try rooms.authorizeSend(user: user, room: room, now: now) }
    }

    public func authorizeRead(user: String?, room: String, now: Int64) async throws -> Room? {
        try rooms.withLock { rooms throws(RoomStoreError) in
            try rooms.authorizeRead(user: user, facts: user.map(accountFacts) ?? .guest, room: room, now: now)
        }
    }

    // MARK: Block lists

    public func block(_ blocked: String, by user: String, now: Int64) async throws {
        rooms.withLock { $0.block(blocked, by: user) }
    }

    public func unblock(_ blocked: String, by user: String) async throws -> Bool {
        rooms.withLock { $0.unblock(blocked, by: user) }
    }

    public func blockedUsers(of user: String) async throws -> [String] {
        rooms.withLock { $0.blockedUsers(of: user) }
    }

    public func hasBlocked(_ recipient: String, _ sender: String) async throws -> Bool {
        rooms.withLock { $0.hasBlocked(recipient, sender) }
    }

    // MARK: Direct conversations

    public func directPeers(of user: String) async throws -> [String] {
        peersWithMessages(of: user)
    }
}
