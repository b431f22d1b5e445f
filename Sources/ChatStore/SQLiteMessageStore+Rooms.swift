package import ChatCore
import GRDB

/// `RoomStore` on SQLite: every change reads the facts it decides on and writes, with its
/// moderation log entry, inside one write transaction, so no decision is made on stale roles.
extension SQLiteMessageStore: RoomStore {
    static let roomColumns = "name, topic, visibility, creator, created_at"

    static func room(_ row: Row) throws -> Room {
        let visibility: String = row["visibility"]
        guard let parsed = RoomVisibility(rawValue: visibility) else {
            throw StoreError(.unavailable, "room has unknown visibility `\(visibility)`")
        }
        return Room(
            name: row["name"], topic: row["topic"], visibility: parsed, creator: row["creator"],
            createdAt: row["created_at"])
    }

    static func role(_ text: String) throws -> RoomRole {
        guard let role = RoomRole(rawValue: text) else { throw StoreError(.unavailable, "unknown role `\(text)`") }
        return role
    }

    static func findRoom(_ db: Database, _ name: String) throws -> Room? {
        try Row.fetchOne(
            db, sql: "SELECT \(roomColumns) FROM rooms WHERE name_key = ?", arguments: [Room.key(for: name)]
        ).map(room)
    }

    static func requireRoom(_ db: Database, _ name: String) throws -> Room {
        guard let room = try findRoom(db, name) else { throw RoomStoreError(.noSuchRoom, "no room `\(name)`") }
        return room
    }

    static func findRole(_ db: Database, _ user: String, _ room: String) throws -> RoomRole? {
        try String.fetchOne(
            db, sql: "SELECT role FROM room_members WHERE room_key = ? AND user_key = ?",
            arguments: [Room.key(for: room), Account.key(for: user)]
        ).map(role)
    }

    /// (registered, admin): an account that is disabled is registered but no admin.
    static func accountFacts(_ db: Database, _ name: String) throws -> (registered: Bool, admin: Bool) {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT is_admin, disabled_at FROM accounts WHERE name_key = ?",
                arguments: [Account.key(for: name)])
        else { return (false, false) }
        let disabledAt: Int64? = row["disabled_at"]
        let admin: Bool = row["is_admin"]
        return (true, admin && disabledAt == nil)
    }

    static func actorFacts(_ db: Database, _ actor: RoomActor, _ room: String) throws -> RoomPolicy.Actor {
        switch actor {
        case .serverOperator:
            return RoomPolicy.Actor(isOperator: true, role: nil)
        case .user(let name):
            return RoomPolicy.Actor(isAdmin: try accountFacts(db, name).admin, role: try findRole(db, name, room))
        }
    }

    static func log(
        _ db: Database, _ room: Room, _ action: ModerationAction, _ actor: String, target: String?, detail: String = "",
        now: Int64
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO moderation_log (room_key, room_name, action, actor, target, detail, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [Room.key(for: room.name), room.name, action.rawValue, actor, target, detail, now])
    }

    static func upsertMember(_ db: Database, _ room: Room, _ user: String, _ role: RoomRole, now: Int64) throws {
        try db.execute(
            sql: """
                INSERT INTO room_members (room_key, user_key, user_name, role, joined_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (room_key, user_key) DO UPDATE SET role = excluded.role
                """,
            arguments: [Room.key(for: room.name), Account.key(for: user), user, role.rawValue, now])
    }

    static func insertRoom(_ db: Database, _ room: Room) throws -> Room {
        let registered = try accountFacts(db, room.creator).registered
        if room.visibility != .public, !registered {
            throw RoomStoreError(
                .forbidden, "guests can create only public rooms; sign in to create a \(room.visibility.rawValue) room")
        }
        if let existing = try findRoom(db, room.name) {
            throw RoomStoreError(.roomExists, "the room `\(existing.name)` already exists")
        }
        try db.execute(
            sql: "INSERT INTO rooms (name_key, \(roomColumns)) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [
                Room.key(for: room.name), room.name, room.topic, room.visibility.rawValue, room.creator, room.createdAt,
            ])
        // A guest creator is not stored: guests never hold a role above member.
        if registered { try upsertMember(db, room, room.creator, .owner, now: room.createdAt) }
        try log(db, room, .create, room.creator, target: nil, detail: room.visibility.rawValue, now: room.createdAt)
        return room
    }

    static func activeUntil(_ db: Database, table: String, _ user: String, _ room: String, now: Int64) throws -> Int64??
    {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT until FROM \(table) WHERE room_key = ? AND user_key = ?",
                arguments: [Room.key(for: room), Account.key(for: user)])
        else { return .none }
        let until: Int64? = row["until"]
        if let until, until <= now { return .none }
        return .some(until)
    }

    // MARK: Rooms

    package func createRoom(_ room: Room) async throws -> Room {
        try await guarded { try await pool.write { db in try Self.insertRoom(db, room) } }
    }

    package func join(room name: String, user: String, now: Int64) async throws -> RoomJoin {
        try await guarded {
            try await pool.write { db in
                guard let room = try Self.findRoom(db, name) else {
                    let room = try Self.insertRoom(
                        db, Room(name: name, visibility: .public, creator: user, createdAt: now))
                    let registered = try Self.accountFacts(db, user).registered
                    return RoomJoin(room: room, role: registered ? .owner : .member, created: true)
                }
                if let until = try Self.activeUntil(db, table: "room_bans", user, name, now: now) {
                    throw RoomStoreError.banned(from: room.name, until: until)
                }
                let mute = try Self.activeUntil(db, table: "room_mutes", user, name, now: now)
                let facts = try Self.accountFacts(db, user)
                if let role = try Self.findRole(db, user, name) {
                    return RoomJoin(room: room, role: role, created: false, mutedUntil: mute)
                }
                guard facts.registered else {
                    if room.visibility != .public {
                        throw RoomStoreError(.notInvited, "the room `\(room.name)` is open to invited members only")
                    }
                    return RoomJoin(room: room, role: .member, created: false, mutedUntil: mute)
                }
                if room.visibility != .public && !facts.admin {
                    try db.execute(
                        sql: "DELETE FROM room_invites WHERE room_key = ? AND user_key = ?",
                        arguments: [Room.key(for: name), Account.key(for: user)])
                    guard db.changesCount > 0 else {
                        throw RoomStoreError(.notInvited, "the room `\(room.name)` is open to invited members only")
                    }
                }
                try Self.upsertMember(db, room, user, .member, now: now)
                return RoomJoin(room: room, role: .member, created: false, mutedUntil: mute)
            }
        }
    }

    package func leave(room name: String, user: String) async throws -> Bool {
        try await guarded {
            try await pool.write { db in
                try db.execute(
                    sql: "DELETE FROM room_members WHERE room_key = ? AND user_key = ?",
                    arguments: [Room.key(for: name), Account.key(for: user)])
                return db.changesCount > 0
            }
        }
    }

    package func room(named name: String) async throws -> Room? {
        try await guarded { try await pool.read { db in try Self.findRoom(db, name) } }
    }

    package func directoryRooms() async throws -> [Room] {
        try await guarded {
            try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql:
                        "SELECT \(Self.roomColumns) FROM rooms WHERE visibility IN ('public', 'invite') ORDER BY name_key"
                ).map(Self.room)
            }
        }
    }

    package func allRooms() async throws -> [Room] {
        try await guarded {
            try await pool.read { db in
                try Row.fetchAll(db, sql: "SELECT \(Self.roomColumns) FROM rooms ORDER BY name_key").map(Self.room)
            }
        }
    }

    package func updateRoom(
        named name: String, topic: String?, visibility: RoomVisibility?, by actor: RoomActor, now: Int64
    )
        async throws -> Room
    {
        try await guarded {
            try await pool.write { db in
                var room = try Self.requireRoom(db, name)
                try RoomPolicy.authorizeOwnerAction(
                    try Self.actorFacts(db, actor, name), "change its topic or visibility")
                if let topic, topic != room.topic {
                    room.topic = topic
                    try Self.log(db, room, .topic, actor.name, target: nil, detail: topic, now: now)
                }
                if let visibility, visibility != room.visibility {
                    room.visibility = visibility
                    try Self.log(db, room, .visibility, actor.name, target: nil, detail: visibility.rawValue, now: now)
                }
                try db.execute(
                    sql: "UPDATE rooms SET topic = ?, visibility = ? WHERE name_key = ?",
                    arguments: [room.topic, room.visibility.rawValue, Room.key(for: name)])
                return room
            }
        }
    }

    package func deleteRoom(named name: String, by actor: RoomActor, now: Int64) async throws {
        try await guarded {
            try await pool.write { db in
                let room = try Self.requireRoom(db, name)
                try RoomPolicy.authorizeOwnerAction(try Self.actorFacts(db, actor, name), "delete it")
                try db.execute(sql: "DELETE FROM rooms WHERE name_key = ?", arguments: [Room.key(for: name)])
                try Self.log(db, room, .delete, actor.name, target: nil, now: now)
            }
        }
    }

    // MARK: Members and roles

    package func members(of room: String) async throws -> [RoomMember] {
        try await guarded {
            try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT COALESCE(a.name, m.user_name) AS user_name, m.role, m.joined_at FROM room_members m
                        LEFT JOIN accounts a ON a.name_key = m.user_key WHERE m.room_key = ?
                        ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'moderator' THEN 1 ELSE 2 END, m.user_key
                        """,
                    arguments: [Room.key(for: room)]
                ).map { RoomMember(user: $0["user_name"], role: try Self.role($0["role"]), joinedAt: $0["joined_at"]) }
            }
        }
    }

    package func role(of user: String, in room: String) async throws -> RoomRole? {
        try await guarded { try await pool.read { db in try Self.findRole(db, user, room) } }
    }

    package func memberships(of user: String) async throws -> [RoomMembership] {
        try await guarded {
            try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT r.name, r.topic, r.visibility, r.creator, r.created_at, m.role, m.joined_at
                        FROM room_members m JOIN rooms r ON r.name_key = m.room_key
                        WHERE m.user_key = ? ORDER BY r.name_key
                        """,
                    arguments: [Account.key(for: user)]
                ).map {
                    RoomMembership(room: try Self.room($0), role: try Self.role($0["role"]), joinedAt: $0["joined_at"])
                }
            }
        }
    }

    package func unreadRooms(of user: String) async throws -> [UnreadRoom] {
        try await guarded {
            try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT r.name, COALESCE(c.last_seq, 0) AS last_seq, COALESCE(p.seq, 0) AS read_seq,
                          MIN(\(UnreadRoom.countLimit), (SELECT COUNT(*) FROM messages x
                             WHERE x.conversation_key = 'room:' || r.name AND x.seq > COALESCE(p.seq, 0) AND x.sender <> ?
                               AND x.update_json IS NULL AND x.event IS NULL AND x.deleted_by IS NULL)) AS unread,
                          MIN(\(UnreadRoom.countLimit), (SELECT COUNT(*) FROM messages x
                             WHERE x.conversation_key = 'room:' || r.name AND x.seq > COALESCE(p.seq, 0) AND x.sender <> ?
                               AND x.deleted_by IS NULL AND x.mentions LIKE ?)) AS mentioned
                        FROM room_members m JOIN rooms r ON r.name_key = m.room_key
                        LEFT JOIN conversations c ON c.key = 'room:' || r.name
                        LEFT JOIN read_positions p ON p.conversation_key = 'room:' || r.name AND p.user_name = ?
                        WHERE m.user_key = ? ORDER BY r.name_key
                        """,
                    arguments: [user, user, "%\"\(user)\"%", user, Account.key(for: user)]
                ).map {
                    UnreadRoom(
                        room: $0["name"], count: $0["unread"], mentions: $0["mentioned"], lastSeq: $0["last_seq"],
                        readSeq: $0["read_seq"])
                }
            }
        }
    }

    package func setRole(
        _ role: RoomRole, of user: String, in room: String, by actor: RoomActor, now: Int64
    ) async throws {
        try await guarded {
            try await pool.write { db in
                let stored = try Self.requireRoom(db, room)
                try RoomPolicy.authorizeOwnerAction(try Self.actorFacts(db, actor, room), "set roles")
                guard try Self.accountFacts(db, user).registered else {
                    throw RoomStoreError(.noSuchUser, "no account `\(user)`: guests cannot hold a room role")
                }
                try Self.upsertMember(db, stored, user, role, now: now)
                try Self.log(db, stored, .role, actor.name, target: user, detail: role.rawValue, now: now)
            }
        }
    }

    package func invite(_ user: String, to room: String, by actor: RoomActor, now: Int64) async throws {
        try await guarded {
            try await pool.write { db in
                let stored = try Self.requireRoom(db, room)
                try RoomPolicy.authorizeModerator(try Self.actorFacts(db, actor, room), "invite")
                guard try Self.accountFacts(db, user).registered else {
                    throw RoomStoreError(.noSuchUser, "no account `\(user)`: only registered users can be invited")
                }
                guard stored.visibility != .public else { return }
                try db.execute(
                    sql: """
                        INSERT INTO room_invites (room_key, user_key, user_name, invited_by, created_at) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (room_key, user_key) DO NOTHING
                        """,
                    arguments: [Room.key(for: room), Account.key(for: user), user, actor.name, now])
                try Self.log(db, stored, .invite, actor.name, target: user, now: now)
            }
        }
    }

    package func isInvited(_ user: String, to room: String) async throws -> Bool {
        try await guarded {
            try await pool.read { db in
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM room_invites WHERE room_key = ? AND user_key = ?)",
                    arguments: [Room.key(for: room), Account.key(for: user)]) ?? false
            }
        }
    }

    // MARK: Moderation

    /// Checks the actor may `verb` the target and returns the room.
    static func authorizeModeration(
        _ db: Database, _ user: String, _ room: String, _ actor: RoomActor, verb: String
    ) throws
        -> Room
    {
        let stored = try requireRoom(db, room)
        try RoomPolicy.authorizeModeration(
            try actorFacts(db, actor, room), target: try findRole(db, user, room),
            targetIsAdmin: try accountFacts(db, user).admin, verb: verb)
        return stored
    }

    static func removeMembership(_ db: Database, _ user: String, _ room: String) throws {
        for table in ["room_members", "room_invites"] {
            try db.execute(
                sql: "DELETE FROM \(table) WHERE room_key = ? AND user_key = ?",
                arguments: [Room.key(for: room), Account.key(for: user)])
        }
    }

    package func kick(_ user: String, from room: String, reason: String, by actor: RoomActor, now: Int64) async throws {
        try await guarded {
            try await pool.write { db in
                let stored = try Self.authorizeModeration(db, user, room, actor, verb: "kick")
                try Self.removeMembership(db, user, room)
                try Self.log(db, stored, .kick, actor.name, target: user, detail: reason, now: now)
            }
        }
    }

    package func ban(
        _ user: String, from room: String, until: Int64?, reason: String, by actor: RoomActor, now: Int64
    )
        async throws
    {
        try await guarded {
            try await pool.write { db in
                let stored = try Self.authorizeModeration(db, user, room, actor, verb: "ban")
                try Self.removeMembership(db, user, room)
                try db.execute(
                    sql: """
                        INSERT INTO room_bans (room_key, user_key, user_name, until, reason, banned_by, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (room_key, user_key) DO UPDATE SET
                            until = excluded.until, reason = excluded.reason, banned_by = excluded.banned_by,
                            created_at = excluded.created_at
                        """,
                    arguments: [Room.key(for: room), Account.key(for: user), user, until, reason, actor.name, now])
                try Self.log(db, stored, .ban, actor.name, target: user, detail: reason, now: now)
            }
        }
    }

    package func unban(_ user: String, in room: String, by actor: RoomActor, now: Int64) async throws -> Bool {
        try await guarded {
            try await pool.write { db in
                let stored = try Self.requireRoom(db, room)
                try RoomPolicy.authorizeModerator(try Self.actorFacts(db, actor, room), "lift a ban")
                try db.execute(
                    sql: "DELETE FROM room_bans WHERE room_key = ? AND user_key = ?",
                    arguments: [Room.key(for: room), Account.key(for: user)])
                guard db.changesCount > 0 else { return false }
                try Self.log(db, stored, .unban, actor.name, target: user, now: now)
                return true
            }
        }
    }

    package func bans(in room: String, now: Int64) async throws -> [RoomBan] {
        try await guarded {
            try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT user_name, until, reason, banned_by, created_at FROM room_bans
                        WHERE room_key = ? AND (until IS NULL OR until > ?) ORDER BY user_key
                        """,
                    arguments: [Room.key(for: room), now]
                ).map {
                    RoomBan(
                        user: $0["user_name"], until: $0["until"], reason: $0["reason"], bannedBy: $0["banned_by"],
                        createdAt: $0["created_at"])
                }
            }
        }
    }

    package func mute(_ user: String, in room: String, until: Int64?, by actor: RoomActor, now: Int64) async throws {
        try await guarded {
            try await pool.write { db in
                let stored = try Self.authorizeModeration(db, user, room, actor, verb: "mute")
                try db.execute(
                    sql: """
                        INSERT INTO room_mutes (room_key, user_key, user_name, until, muted_by, created_at)
                        VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT (room_key, user_key) DO UPDATE SET
                            until = excluded.until, muted_by = excluded.muted_by, created_at = excluded.created_at
                        """,
                    arguments: [Room.key(for: room), Account.key(for: user), user, until, actor.name, now])
                try Self.log(db, stored, .mute, actor.name, target: user, detail: until.map { "\($0)" } ?? "", now: now)
            }
        }
    }

    package func unmute(_ user: String, in room: String, by actor: RoomActor, now: Int64) async throws -> Bool {
        try await guarded {
            try await pool.write { db in
                let stored = try Self.requireRoom(db, room)
                try RoomPolicy.authorizeModerator(try Self.actorFacts(db, actor, room), "lift a mute")
                try db.execute(
                    sql: "DELETE FROM room_mutes WHERE room_key = ? AND user_key = ?",
                    arguments: [Room.key(for: room), Account.key(for: user)])
                guard db.changesCount > 0 else { return false }
                try Self.log(db, stored, .unmute, actor.name, target: user, now: now)
                return true
            }
        }
    }

    package func mutes(in room: String, now: Int64) async throws -> [RoomMute] {
        try await guarded {
            try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT user_name, until, muted_by, created_at FROM room_mutes
                        WHERE room_key = ? AND (until IS NULL OR until > ?) ORDER BY user_key
                        """,
                    arguments: [Room.key(for: room), now]
                ).map {
                    RoomMute(
                        user: $0["user_name"], until: $0["until"], mutedBy: $0["muted_by"], createdAt: $0["created_at"])
                }
            }
        }
    }

    package func moderationLog(of room: String, limit: Int) async throws -> [ModerationEntry] {
        guard limit > 0 else { return [] }
        return try await guarded {
            try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT id, room_name, action, actor, target, detail, created_at, seq FROM moderation_log
                        WHERE room_key = ? ORDER BY id DESC LIMIT ?
                        """,
                    arguments: [Room.key(for: room), limit]
                ).map { row -> ModerationEntry in
                    let action: String = row["action"]
                    guard let parsed = ModerationAction(rawValue: action) else {
                        throw StoreError(.unavailable, "unknown moderation action `\(action)`")
                    }
                    return ModerationEntry(
                        id: row["id"], room: row["room_name"], action: parsed, actor: row["actor"],
                        target: row["target"],
                        detail: row["detail"], createdAt: row["created_at"], seq: row["seq"])
                }.reversed().map { $0 }
            }
        }
    }

    // MARK: Checks

    package func authorizeSend(user: String, room: String, now: Int64) async throws {
        try await guarded {
            try await pool.read { db in
                guard let stored = try Self.findRoom(db, room) else { return }
                if let until = try Self.activeUntil(db, table: "room_bans", user, room, now: now) {
                    throw RoomStoreError.banned(from: stored.name, until: until)
                }
                if stored.visibility.requiresMembership, try Self.findRole(db, user, room) == nil {
                    throw RoomStoreError(.notMember, "you are not a member of `\(stored.name)`; join it first")
                }
                if let until = try Self.activeUntil(db, table: "room_mutes", user, room, now: now) {
                    throw RoomStoreError.muted(in: stored.name, until: until)
                }
            }
        }
    }

    package func authorizeRead(user: String?, room: String, now: Int64) async throws -> Room? {
        try await guarded {
            try await pool.read { db in
                guard let stored = try Self.findRoom(db, room) else { return nil }
                guard stored.visibility.requiresMembership else { return stored }
                guard let user else {
                    throw RoomStoreError(.forbidden, "the history of `\(stored.name)` is for its members only")
                }
                if try Self.activeUntil(db, table: "room_bans", user, room, now: now) != nil {
                    throw RoomStoreError(.banned, "you are banned from `\(stored.name)`")
                }
                if try Self.findRole(db, user, room) == nil, !(try Self.accountFacts(db, user).admin) {
                    throw RoomStoreError(.forbidden, "the history of `\(stored.name)` is for its members only")
                }
                return stored
            }
        }
    }

    // MARK: Block lists

    package func block(_ blocked: String, by user: String, now: Int64) async throws {
        try await guarded {
            try await pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO user_blocks (blocker_key, blocked_key, blocked_name, created_at) VALUES (?, ?, ?, ?)
                        ON CONFLICT (blocker_key, blocked_key) DO NOTHING
                        """,
                    arguments: [Account.key(for: user), Account.key(for: blocked), blocked, now])
            }
        }
    }

    package func unblock(_ blocked: String, by user: String) async throws -> Bool {
        try await guarded {
            try await pool.write { db in
                try db.execute(
                    sql: "DELETE FROM user_blocks WHERE blocker_key = ? AND blocked_key = ?",
                    arguments: [Account.key(for: user), Account.key(for: blocked)])
                return db.changesCount > 0
            }
        }
    }

    package func blockedUsers(of user: String) async throws -> [String] {
        try await guarded {
            try await pool.read { db in
                try String.fetchAll(
                    db, sql: "SELECT blocked_name FROM user_blocks WHERE blocker_key = ? ORDER BY blocked_key",
                    arguments: [Account.key(for: user)])
            }
        }
    }

    package func hasBlocked(_ recipient: String, _ sender: String) async throws -> Bool {
        try await guarded {
            try await pool.read { db in
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM user_blocks WHERE blocker_key = ? AND blocked_key = ?)",
                    arguments: [Account.key(for: recipient), Account.key(for: sender)]) ?? false
            }
        }
    }

    // MARK: Direct conversations

    package func directPeers(of user: String) async throws -> [String] {
        try await guarded {
            try await pool.read { db in
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT CASE WHEN user_a = :user THEN user_b ELSE user_a END AS peer FROM conversations
                        WHERE kind = 'dm' AND (user_a = :user OR user_b = :user) AND last_seq > 0 ORDER BY peer
                        """,
                    arguments: ["user": user])
            }
        }
    }
}
