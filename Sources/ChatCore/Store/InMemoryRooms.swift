/// The rooms, members, invitations, bans, mutes, moderation log and block lists of the
/// in-memory store, as a value: `InMemoryMessageStore` runs each `RoomStore` call as one
/// mutating call under its lock, so every decision is made on the state it changes.
///
/// It applies the same rules as the SQLite and PostgreSQL stores (`RoomPolicy`), and the
/// RoomStore conformance suite holds all three to the same behaviour. What it knows of
/// accounts (registered? admin?) it asks `facts` for, so the accounts stay in one place.
struct InMemoryRooms {
    /// What the rooms need to know about a name from the accounts.
    struct AccountFacts {
        /// The account's name as registered; nil for a guest.
        var registeredName: String?
        /// A server admin whose account is not disabled.
        var isAdmin: Bool

        var isRegistered: Bool { registeredName != nil }

        static let guest = AccountFacts(registeredName: nil, isAdmin: false)
    }

    private struct StoredRoom {
        var room: Room
        /// Member user key → member (name as given when stored).
        var members: [String: RoomMember] = [:]
        var invites: Set<String> = []
        var bans: [String: RoomBan] = [:]
        var mutes: [String: RoomMute] = [:]
        /// The retention override (`MessageRetention.roomRetention`).
        var retentionDays: Int?
    }

    private var rooms: [String: StoredRoom] = [:]
    /// Room key → its log, oldest first; kept after the room is deleted.
    private var logs: [String: [ModerationEntry]] = [:]
    private var nextLogID: Int64 = 1
    /// Blocker key → blocked key → the blocked name as given.
    private var blocks: [String: [String: String]] = [:]
    /// How many log entries each room keeps (the oldest are dropped), so memory stays bounded.
    let retainLogPerRoom: Int

    init(retainLogPerRoom: Int) {
        self.retainLogPerRoom = retainLogPerRoom
    }

    // MARK: Rooms

    mutating func create(_ room: Room, facts: AccountFacts) throws(RoomStoreError) -> Room {
        if room.visibility != .public, !facts.isRegistered {
            throw RoomStoreError(
                .forbidden, "guests can create only public rooms; sign in to create a \(room.visibility.rawValue) room")
        }
        if let existing = rooms[Room.key(for: room.name)] {
            throw RoomStoreError(.roomExists, "the room `\(existing.room.name)` already exists")
        }
        var stored = StoredRoom(room: room)
        // A guest creator is not stored: guests never hold a role above member.
        if facts.isRegistered {
            stored.members[Account.key(for: room.creator)] = RoomMember(
                user: room.creator, role: .owner, joinedAt: room.createdAt)
        }
        rooms[Room.key(for: room.name)] = stored
        log(room, .create, room.creator, target: nil, detail: room.visibility.rawValue, now: room.createdAt)
        return room
    }

    mutating func join(_ name: String, user: String, facts: AccountFacts, now: Int64) throws(RoomStoreError) -> RoomJoin
    {
        let roomKey = Room.key(for: name)
        let userKey = Account.key(for: user)
        guard var stored = rooms[roomKey] else {
            let room = try create(Room(name: name, visibility: .public, creator: user, createdAt: now), facts: facts)
            return RoomJoin(room: room, role: facts.isRegistered ? .owner : .member, created: true)
        }
        if let ban = stored.bans[userKey], ban.isActive(at: now) {
            throw RoomStoreError.banned(from: stored.room.name, until: ban.until)
        }
        let mute: Int64?? = stored.mutes[userKey].flatMap { $0.isActive(at: now) ? .some($0.until) : nil }
        if let member = stored.members[userKey] {
            return RoomJoin(room: stored.room, role: member.role, created: false, mutedUntil: mute)
        }
        guard facts.isRegistered else {
            if stored.room.visibility != .public {
                throw RoomStoreError(.notInvited, "the room `\(stored.room.name)` is open to invited members only")
            }
            return RoomJoin(room: stored.room, role: .member, created: false, mutedUntil: mute)
        }
        if stored.room.visibility != .public, !facts.isAdmin {
            guard stored.invites.remove(userKey) != nil else {
                throw RoomStoreError(.notInvited, "the room `\(stored.room.name)` is open to invited members only")
            }
        }
        stored.members[userKey] = RoomMember(user: user, role: .member, joinedAt: now)
        rooms[roomKey] = stored
        return RoomJoin(room: stored.room, role: .member, created: false, mutedUntil: mute)
    }

    mutating func leave(_ name: String, user: String) -> Bool {
        rooms[Room.key(for: name)]?.members.removeValue(forKey: Account.key(for: user)) != nil
    }

    func room(named name: String) -> Room? { rooms[Room.key(for: name)]?.room }

    func directoryRooms() -> [Room] {
        allRooms().filter { $0.visibility != .private }
    }

    func allRooms() -> [Room] {
        rooms.sorted { $0.key < $1.key }.map(\.value.room)
    }

    mutating func update(
        _ name: String, topic: String?, visibility: RoomVisibility?, by actor: RoomActor, facts: AccountFacts,
        now: Int64
    ) throws(RoomStoreError) -> Room {
        let key = Room.key(for: name)
        var room = try require(name).room
        try RoomPolicy.authorizeOwnerAction(
            policyActor(actor, facts: facts, in: name), "change its topic or visibility")
        if let topic, topic != room.topic {
            room.topic = topic
            log(room, .topic, actor.name, target: nil, detail: topic, now: now)
        }
        if let visibility, visibility != room.visibility {
            room.visibility = visibility
            log(room, .visibility, actor.name, target: nil, detail: visibility.rawValue, now: now)
        }
        rooms[key]?.room = room
        return room
    }

    mutating func delete(_ name: String, by actor: RoomActor, facts: AccountFacts, now: Int64) throws(RoomStoreError) {
        let room = try require(name).room
        try RoomPolicy.authorizeOwnerAction(policyActor(actor, facts: facts, in: name), "delete it")
        rooms[Room.key(for: name)] = nil
        log(room, .delete, actor.name, target: nil, detail: "", now: now)
    }

    /// The retention override of room `name`.
    func retention(of name: String) throws(RoomStoreError) -> Int? {
        try require(name).retentionDays
    }

    /// Sets the retention override of room `name`: admins and the operator only.
    mutating func setRetention(
        _ days: Int?, of name: String, by actor: RoomActor, facts: AccountFacts, now: Int64
    ) throws(RoomStoreError) {
        let stored = try require(name)
        try RoomPolicy.authorizeRetention(policyActor(actor, facts: facts, in: name))
        guard stored.retentionDays != days else { return }
        rooms[Room.key(for: name)]?.retentionDays = days
        log(stored.room, .retention, actor.name, target: nil, detail: days.map { "\($0)" } ?? "default", now: now)
    }

    // MARK: Members and roles

    /// Owners first, then moderators, then members, each by name; `registeredName` gives the
    /// name as registered.
    func members(of room: String, registeredName: (String) -> String?) -> [RoomMember] {
        guard let stored = rooms[Room.key(for: room)] else { return [] }
        return stored.members.sorted { a, b in
            a.value.role != b.value.role ? a.value.role > b.value.role : a.key < b.key
        }.map { entry in
            var member = entry.value
            member.user = registeredName(member.user) ?? member.user
            return member
        }
    }

    func role(of user: String, in room: String) -> RoomRole? {
        rooms[Room.key(for: room)]?.members[Account.key(for: user)]?.role
    }

    func memberships(of user: String) -> [RoomMembership] {
        let userKey = Account.key(for: user)
        return rooms.sorted { $0.key < $1.key }.compactMap { entry in
            entry.value.members[userKey].map {
                RoomMembership(room: entry.value.room, role: $0.role, joinedAt: $0.joinedAt)
            }
        }
    }

    mutating func setRole(
        _ role: RoomRole, of user: String, userFacts: AccountFacts, in room: String, by actor: RoomActor,
        actorFacts: AccountFacts, now: Int64
    ) throws(RoomStoreError) {
        let stored = try require(room)
        try RoomPolicy.authorizeOwnerAction(policyActor(actor, facts: actorFacts, in: room), "set roles")
        guard userFacts.isRegistered else {
            throw RoomStoreError(.noSuchUser, "no account `\(user)`: guests cannot hold a room role")
        }
        let userKey = Account.key(for: user)
        let joinedAt = stored.members[userKey]?.joinedAt ?? now
        let name = stored.members[userKey]?.user ?? user
        rooms[Room.key(for: room)]?.members[userKey] = RoomMember(user: name, role: role, joinedAt: joinedAt)
        log(stored.room, .role, actor.name, target: user, detail: role.rawValue, now: now)
    }

    mutating func invite(
        _ user: String, userFacts: AccountFacts, to room: String, by actor: RoomActor, actorFacts: AccountFacts,
        now: Int64
    ) throws(RoomStoreError) {
        let stored = try require(room)
        try RoomPolicy.authorizeModerator(policyActor(actor, facts: actorFacts, in: room), "invite")
        guard userFacts.isRegistered else {
            throw RoomStoreError(.noSuchUser, "no account `\(user)`: only registered users can be invited")
        }
        guard stored.room.visibility != .public else { return }
        rooms[Room.key(for: room)]?.invites.insert(Account.key(for: user))
        log(stored.room, .invite, actor.name, target: user, detail: "", now: now)
    }

    func isInvited(_ user: String, to room: String) -> Bool {
        rooms[Room.key(for: room)]?.invites.contains(Account.key(for: user)) ?? false
    }

    // MARK: Moderation

    /// What a moderation verb does to the target once it is authorised.
    enum Sanction {
        case kick(reason: String)
        case ban(until: Int64?, reason: String)
        case mute(until: Int64?)

        var verb: String {
            switch self {
            case .kick: "kick"
            case .ban: "ban"
            case .mute: "mute"
            }
        }
    }

    mutating func sanction(
        _ sanction: Sanction, _ user: String, userFacts: AccountFacts, in room: String, by actor: RoomActor,
        actorFacts: AccountFacts, now: Int64
    ) throws(RoomStoreError) {
        let stored = try require(room)
        try RoomPolicy.authorizeModeration(
            policyActor(actor, facts: actorFacts, in: room), target: role(of: user, in: room),
            targetIsAdmin: userFacts.isAdmin, verb: sanction.verb)
        let roomKey = Room.key(for: room)
        let userKey = Account.key(for: user)
        switch sanction {
        case .kick(let reason):
            removeMembership(userKey, roomKey)
            log(stored.room, .kick, actor.name, target: user, detail: reason, now: now)
        case .ban(let until, let reason):
            removeMembership(userKey, roomKey)
            rooms[roomKey]?.bans[userKey] = RoomBan(
                user: user, until: until, reason: reason, bannedBy: actor.name, createdAt: now)
            log(stored.room, .ban, actor.name, target: user, detail: reason, now: now)
        case .mute(let until):
            rooms[roomKey]?.mutes[userKey] = RoomMute(user: user, until: until, mutedBy: actor.name, createdAt: now)
            log(stored.room, .mute, actor.name, target: user, detail: until.map { "\($0)" } ?? "", now: now)
        }
    }

    /// Lifts a ban (`ban: true`) or a mute; false when there was none.
    mutating func lift(
        ban: Bool, _ user: String, in room: String, by actor: RoomActor, actorFacts: AccountFacts, now: Int64
    ) throws(RoomStoreError) -> Bool {
        let stored = try require(room)
        try RoomPolicy.authorizeModerator(
            policyActor(actor, facts: actorFacts, in: room), ban ? "lift a ban" : "lift a mute")
        let roomKey = Room.key(for: room)
        let userKey = Account.key(for: user)
        let removed =
            ban
            ? rooms[roomKey]?.bans.removeValue(forKey: userKey) != nil
            : rooms[roomKey]?.mutes.removeValue(forKey: userKey) != nil
        guard removed else { return false }
        log(stored.room, ban ? .unban : .unmute, actor.name, target: user, detail: "", now: now)
        return true
    }

    func bans(in room: String, now: Int64) -> [RoomBan] {
        (rooms[Room.key(for: room)]?.bans ?? [:]).sorted { $0.key < $1.key }.map(\.value).filter {
            $0.isActive(at: now)
        }
    }

    func mutes(in room: String, now: Int64) -> [RoomMute] {
        (rooms[Room.key(for: room)]?.mutes ?? [:]).sorted { $0.key < $1.key }.map(\.value).filter {
            $0.isActive(at: now)
        }
    }

    func moderationLog(of room: String, limit: Int) -> [ModerationEntry] {
        guard limit > 0 else { return [] }
        return Array((logs[Room.key(for: room)] ?? []).suffix(limit))
    }

    // MARK: Checks

    func authorizeSend(user: String, room: String, now: Int64) throws(RoomStoreError) {
        guard let stored = rooms[Room.key(for: room)] else { return }
        let userKey = Account.key(for: user)
        if let ban = stored.bans[userKey], ban.isActive(at: now) {
            throw RoomStoreError.banned(from: stored.room.name, until: ban.until)
        }
        if stored.room.visibility.requiresMembership, stored.members[userKey] == nil {
            throw RoomStoreError(.notMember, "you are not a member of `\(stored.room.name)`; join it first")
        }
        if let mute = stored.mutes[userKey], mute.isActive(at: now) {
            throw RoomStoreError.muted(in: stored.room.name, until: mute.until)
        }
    }

    func authorizeRead(user: String?, facts: AccountFacts, room: String, now: Int64) throws(RoomStoreError) -> Room? {
        guard let stored = rooms[Room.key(for: room)] else { return nil }
        guard stored.room.visibility.requiresMembership else { return stored.room }
        guard let user else {
            throw RoomStoreError(.forbidden, "the history of `\(stored.room.name)` is for its members only")
        }
        let userKey = Account.key(for: user)
        if let ban = stored.bans[userKey], ban.isActive(at: now) {
            throw RoomStoreError(.banned, "you are banned from `\(stored.room.name)`")
        }
        if stored.members[userKey] == nil, !facts.isAdmin {
            throw RoomStoreError(.forbidden, "the history of `\(stored.room.name)` is for its members only")
        }
        return stored.room
    }

    // MARK: Block lists

    mutating func block(_ blocked: String, by user: String) {
        let blockerKey = Account.key(for: user)
        let blockedKey = Account.key(for: blocked)
        if blocks[blockerKey]?[blockedKey] == nil { blocks[blockerKey, default: [:]][blockedKey] = blocked }
    }

    mutating func unblock(_ blocked: String, by user: String) -> Bool {
        blocks[Account.key(for: user)]?.removeValue(forKey: Account.key(for: blocked)) != nil
    }

    func blockedUsers(of user: String) -> [String] {
        (blocks[Account.key(for: user)] ?? [:]).sorted { $0.key < $1.key }.map(\.value)
    }

    func hasBlocked(_ recipient: String, _ sender: String) -> Bool {
        blocks[Account.key(for: recipient)]?[Account.key(for: sender)] != nil
    }

    // MARK: Helpers

    private func require(_ name: String) throws(RoomStoreError) -> StoredRoom {
        guard let stored = rooms[Room.key(for: name)] else { throw RoomStoreError(.noSuchRoom, "no room `\(name)`") }
        return stored
    }

    private func policyActor(_ actor: RoomActor, facts: AccountFacts, in room: String) -> RoomPolicy.Actor {
        switch actor {
        case .serverOperator: RoomPolicy.Actor(isOperator: true, role: nil)
        case .user(let name): RoomPolicy.Actor(isAdmin: facts.isAdmin, role: role(of: name, in: room))
        }
    }

    private mutating func removeMembership(_ userKey: String, _ roomKey: String) {
        rooms[roomKey]?.members[userKey] = nil
        rooms[roomKey]?.invites.remove(userKey)
    }

    /// Records in `room`'s log what an edit of message `seq` replaced (moderators see it).
    mutating func logEdit(in room: String, of seq: Int64, by editor: String, author: String, before: String, now: Int64)
    {
        append(
            ModerationEntry(
                id: nextLogID, room: room, action: .edit, actor: editor, target: author, detail: before, createdAt: now,
                seq: seq))
    }

    /// Empties the texts `room`'s log kept from the edits of message `seq`: it was deleted, and
    /// deleted text leaves the store.
    /// Retention pruned every message up to `through`: the texts their edits replaced go too.
    mutating func forgetEditedTexts(in room: String, through: Int64) {
        let key = Room.key(for: room)
        guard let entries = logs[key] else { return }
        for index in entries.indices where entries[index].action == .edit && (entries[index].seq ?? .max) <= through {
            logs[key]![index].detail = ""
        }
    }

    mutating func forgetEditedTexts(in room: String, of seq: Int64) {
        let key = Room.key(for: room)
        guard let entries = logs[key] else { return }
        for index in entries.indices where entries[index].action == .edit && entries[index].seq == seq {
            logs[key]![index].detail = ""
        }
    }

    private mutating func log(
        _ room: Room, _ action: ModerationAction, _ actor: String, target: String?, detail: String, now: Int64
    ) {
        append(
            ModerationEntry(
                id: nextLogID, room: room.name, action: action, actor: actor, target: target, detail: detail,
                createdAt: now))
    }

    private mutating func append(_ entry: ModerationEntry) {
        let key = Room.key(for: entry.room)
        logs[key, default: []].append(entry)
        nextLogID += 1
        if let count = logs[key]?.count, count > retainLogPerRoom { logs[key]?.removeFirst(count - retainLogPerRoom) }
    }
}
