package import ChatCore
import PostgresNIO

/// `RoomStore` on PostgreSQL: every change runs in one transaction that first locks the room's
/// row (`SELECT … FOR UPDATE`), so two nodes changing one room serialise, and no decision is
/// made on a role another node is changing.
extension PostgresMessageStore: RoomStore {
    static let roomColumns = "name, topic, visibility, creator, created_at"

    static func rooms(_ rows: PostgresQueryResult) throws -> [Room] {
        try rows.map { row in
            let (name, topic, visibility, creator, createdAt) = try row.decode(
                (String, String, String, String, Int64).self)
            guard let parsed = RoomVisibility(rawValue: visibility) else {
                throw StoreError(.unavailable, "room has unknown visibility `\(visibility)`")
            }
            return Room(name: name, topic: topic, visibility: parsed, creator: creator, createdAt: createdAt)
        }
    }

    static func role(_ text: String) throws -> RoomRole {
        guard let role = RoomRole(rawValue: text) else { throw StoreError(.unavailable, "unknown role `\(text)`") }
        return role
    }

    /// The room, locked for the rest of the transaction when `lock` is set.
    func findRoom(_ connection: PostgresConnection, _ name: String, lock: Bool = false) async throws -> Room? {
        try Self.rooms(
            await connection.checkedQuery(
                """
                SELECT \(unescaped: Self.roomColumns) FROM rooms WHERE name_key = \(Room.key(for: name))
                \(unescaped: lock ? "FOR UPDATE" : "")
                """, logger: logger)
        ).first
    }

    func requireRoom(_ connection: PostgresConnection, _ name: String) async throws -> Room {
        guard let room = try await findRoom(connection, name, lock: true) else {
            throw RoomStoreError(.noSuchRoom, "no room `\(name)`")
        }
        return room
    }

    func findRole(_ connection: PostgresConnection, _ user: String, _ room: String) async throws -> RoomRole? {
        try await connection.checkedQuery(
            """
            SELECT role FROM room_members WHERE room_key = \(Room.key(for: room)) AND user_key = \(Account.key(for: user))
            """, logger: logger
        ).first.map { try Self.role($0.decode(String.self)) }
    }

    /// (registered, admin): an account that is disabled is registered but no admin.
    func accountFacts(_ connection: PostgresConnection, _ name: String) async throws -> (registered: Bool, admin: Bool)
    {
        guard
            let (isAdmin, disabledAt) = try await connection.checkedQuery(
                "SELECT is_admin, disabled_at FROM accounts WHERE name_key = \(Account.key(for: name))", logger: logger
            ).first?.decode((Bool, Int64?).self)
        else { return (false, false) }
        return (true, isAdmin && disabledAt == nil)
    }

    func actorFacts(
        _ connection: PostgresConnection, _ actor: RoomActor, _ room: String
    ) async throws -> RoomPolicy.Actor {
        switch actor {
        case .serverOperator:
            return RoomPolicy.Actor(isOperator: true, role: nil)
        case .user(let name):
            return RoomPolicy.Actor(
                isAdmin: try await accountFacts(connection, name).admin,
                role: try await findRole(connection, name, room))
        }
    }

    func log(
        _ connection: PostgresConnection, _ room: Room, _ action: ModerationAction, _ actor: String, target: String?,
        detail: String = "", now: Int64
    ) async throws {
        try await connection.checkedQuery(
            """
            INSERT INTO moderation_log (room_key, room_name, action, actor, target, detail, created_at)
            VALUES (\(Room.key(for: room.name)), \(room.name), \(action.rawValue), \(actor), \(target), \(detail), \(now))
            """, logger: logger)
    }

    func upsertMember(
        _ connection: PostgresConnection, _ room: Room, _ user: String, _ role: RoomRole, now: Int64
    )
        async throws
    {
        try await connection.checkedQuery(
            """
            INSERT INTO room_members (room_key, user_key, user_name, role, joined_at)
            VALUES (\(Room.key(for: room.name)), \(Account.key(for: user)), \(user), \(role.rawValue), \(now))
            ON CONFLICT (room_key, user_key) DO UPDATE SET role = excluded.role
            """, logger: logger)
    }

    func insertRoom(_ connection: PostgresConnection, _ room: Room) async throws -> Room {
        let registered = try await accountFacts(connection, room.creator).registered
        if room.visibility != .public, !registered {
            throw RoomStoreError(
                .forbidden, "guests can create only public rooms; sign in to create a \(room.visibility.rawValue) room")
        }
        let inserted = try await connection.checkedQuery(
            """
            INSERT INTO rooms (name_key, \(unescaped: Self.roomColumns))
            VALUES (\(Room.key(for: room.name)), \(room.name), \(room.topic), \(room.visibility.rawValue), \(room.creator),
                \(room.createdAt))
            ON CONFLICT (name_key) DO NOTHING RETURNING name_key
            """, logger: logger)
        guard !inserted.isEmpty else {
            let existing = try await findRoom(connection, room.name)
            throw RoomStoreError(.roomExists, "the room `\(existing?.name ?? room.name)` already exists")
        }
        if registered { try await upsertMember(connection, room, room.creator, .owner, now: room.createdAt) }
        try await log(
            connection, room, .create, room.creator, target: nil, detail: room.visibility.rawValue, now: room.createdAt)
        return room
    }

    func activeUntil(
        _ connection: PostgresConnection, table: String, _ user: String, _ room: String, now: Int64
    )
        async throws -> Int64??
    {
        guard
            let row = try await connection.checkedQuery(
                """
                SELECT until FROM \(unescaped: table)
                WHERE room_key = \(Room.key(for: room)) AND user_key = \(Account.key(for: user))
                """, logger: logger
            ).first
        else { return .none }
        let until = try row.decode(Int64?.self)
        if let until, until <= now { return .none }
        return .some(until)
    }

    // MARK: Rooms

    package func createRoom(_ room: Room) async throws -> Room {
        try await guarded { try await transaction { connection in try await self.insertRoom(connection, room) } }
    }

    package func join(room name: String, user: String, now: Int64) async throws -> RoomJoin {
        try await guarded {
            try await transaction { connection in
                guard let room = try await self.findRoom(connection, name, lock: true) else {
                    // Two nodes creating one name at once: the loser's insert finds the winner's
                    // row (ON CONFLICT) and gets room_exists; its caller joins again.
                    let room = try await self.insertRoom(
                        connection, Room(name: name, visibility: .public, creator: user, createdAt: now))
                    let registered = try await self.accountFacts(connection, user).registered
                    return RoomJoin(room: room, role: registered ? .owner : .member, created: true)
                }
                if let until = try await self.activeUntil(connection, table: "room_bans", user, name, now: now) {
                    throw RoomStoreError.banned(from: room.name, until: until)
                }
                let mute = try await self.activeUntil(connection, table: "room_mutes", user, name, now: now)
                if let role = try await self.findRole(connection, user, name) {
                    return RoomJoin(room: room, role: role, created: false, mutedUntil: mute)
                }
                let facts = try await self.accountFacts(connection, user)
                guard facts.registered else {
                    if room.visibility != .public {
                        throw RoomStoreError(.notInvited, "the room `\(room.name)` is open to invited members only")
                    }
                    return RoomJoin(room: room, role: .member, created: false, mutedUntil: mute)
                }
                if room.visibility != .public && !facts.admin {
                    let used = try await connection.checkedQuery(
                        """
                        DELETE FROM room_invites WHERE room_key = \(Room.key(for: name)) AND user_key = \(Account.key(for: user))
                        RETURNING user_key
                        """, logger: self.logger)
                    guard !used.isEmpty else {
                        throw RoomStoreError(.notInvited, "the room `\(room.name)` is open to invited members only")
                    }
                }
                try await self.upsertMember(connection, room, user, .member, now: now)
                return RoomJoin(room: room, role: .member, created: false, mutedUntil: mute)
            }
        }
    }

    package func leave(room name: String, user: String) async throws -> Bool {
        try await guarded {
            !(try await query(
                """
                DELETE FROM room_members WHERE room_key = \(Room.key(for: name)) AND user_key = \(Account.key(for: user))
                RETURNING user_key
                """
            ).isEmpty)
        }
    }

    package func room(named name: String) async throws -> Room? {
        try await guarded {
            try Self.rooms(
                await query("SELECT \(unescaped: Self.roomColumns) FROM rooms WHERE name_key = \(Room.key(for: name))")
            ).first
        }
    }

    package func directoryRooms() async throws -> [Room] {
        try await guarded {
            try Self.rooms(
                await query(
                    """
                    SELECT \(unescaped: Self.roomColumns) FROM rooms WHERE visibility IN ('public', 'invite')
                    ORDER BY name_key
                    """))
        }
    }

    package func allRooms() async throws -> [Room] {
        try await guarded {
            try Self.rooms(await query("SELECT \(unescaped: Self.roomColumns) FROM rooms ORDER BY name_key"))
        }
    }

    package func updateRoom(
        named name: String, topic: String?, visibility: RoomVisibility?, by actor: RoomActor, now: Int64
    )
        async throws -> Room
    {
        try await guarded {
            try await transaction { connection in
                var room = try await self.requireRoom(connection, name)
                try RoomPolicy.authorizeOwnerAction(
                    try await self.actorFacts(connection, actor, name), "change its topic or visibility")
                if let topic, topic != room.topic {
                    room.topic = topic
                    try await self.log(connection, room, .topic, actor.name, target: nil, detail: topic, now: now)
                }
                if let visibility, visibility != room.visibility {
                    room.visibility = visibility
                    try await self.log(
                        connection, room, .visibility, actor.name, target: nil, detail: visibility.rawValue, now: now)
                }
                try await connection.checkedQuery(
                    """
                    UPDATE rooms SET topic = \(room.topic), visibility = \(room.visibility.rawValue)
                    WHERE name_key = \(Room.key(for: name))
                    """, logger: self.logger)
                return room
            }
        }
    }

    package func deleteRoom(named name: String, by actor: RoomActor, now: Int64) async throws {
        try await guarded {
            try await transaction { connection in
                let room = try await self.requireRoom(connection, name)
                try RoomPolicy.authorizeOwnerAction(try await self.actorFacts(connection, actor, name), "delete it")
                try await connection.checkedQuery(
                    "DELETE FROM rooms WHERE name_key = \(Room.key(for: name))", logger: self.logger)
                try await self.log(connection, room, .delete, actor.name, target: nil, now: now)
            }
        }
    }

    // MARK: Members and roles

    package func members(of room: String) async throws -> [RoomMember] {
        try await guarded {
            try await query(
                """
                SELECT COALESCE(a.name, m.user_name), m.role, m.joined_at FROM room_members m
                LEFT JOIN accounts a ON a.name_key = m.user_key WHERE m.room_key = \(Room.key(for: room))
                ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'moderator' THEN 1 ELSE 2 END, m.user_key
                """
            ).map { row in
                let (user, role, joinedAt) = try row.decode((String, String, Int64).self)
                return RoomMember(user: user, role: try Self.role(role), joinedAt: joinedAt)
            }
        }
    }

    package func role(of user: String, in room: String) async throws -> RoomRole? {
        try await guarded { try await client.withConnection { try await self.findRole($0, user, room) } }
    }

    package func memberships(of user: String) async throws -> [RoomMembership] {
        try await guarded {
            try await query(
                """
                SELECT r.name, r.topic, r.visibility, r.creator, r.created_at, m.role, m.joined_at
                FROM room_members m JOIN rooms r ON r.name_key = m.room_key
                WHERE m.user_key = \(Account.key(for: user)) ORDER BY r.name_key
                """
            ).map { row in
                let (name, topic, visibility, creator, createdAt, role, joinedAt) = try row.decode(
                    (String, String, String, String, Int64, String, Int64).self)
                guard let parsed = RoomVisibility(rawValue: visibility) else {
                    throw StoreError(.unavailable, "room has unknown visibility `\(visibility)`")
                }
                return RoomMembership(
                    room: Room(name: name, topic: topic, visibility: parsed, creator: creator, createdAt: createdAt),
                    role: try Self.role(role), joinedAt: joinedAt)
            }
        }
    }

    package func unreadRooms(of user: String) async throws -> [UnreadRoom] {
        let mentionPattern = "%\"\(user)\"%"
        return try await guarded {
            try await query(
                """
                SELECT r.name, COALESCE(c.last_seq, 0), COALESCE(p.seq, 0),
                  LEAST(\(UnreadRoom.countLimit), (SELECT COUNT(*) FROM messages x
                     WHERE x.conversation_key = 'room:' || r.name AND x.seq > COALESCE(p.seq, 0) AND x.sender <> \(user)
                       AND x.update_json IS NULL AND x.event IS NULL AND x.deleted_by IS NULL)),
                  LEAST(\(UnreadRoom.countLimit), (SELECT COUNT(*) FROM messages x
                     WHERE x.conversation_key = 'room:' || r.name AND x.seq > COALESCE(p.seq, 0) AND x.sender <> \(user)
                       AND x.deleted_by IS NULL AND x.mentions LIKE \(mentionPattern)))
                FROM room_members m JOIN rooms r ON r.name_key = m.room_key
                LEFT JOIN conversations c ON c.key = 'room:' || r.name
                LEFT JOIN read_positions p ON p.conversation_key = 'room:' || r.name AND p.user_name = \(user)
                WHERE m.user_key = \(Account.key(for: user)) ORDER BY r.name_key
                """
            ).map { row in
                let (name, lastSeq, readSeq, unread, mentioned) = try row.decode(
                    (String, Int64, Int64, Int64, Int64).self)
                return UnreadRoom(room: name, count: unread, mentions: mentioned, lastSeq: lastSeq, readSeq: readSeq)
            }
        }
    }

    package func setRole(
        _ role: RoomRole, of user: String, in room: String, by actor: RoomActor, now: Int64
    ) async throws {
        try await guarded {
            try await transaction { connection in
                let stored = try await self.requireRoom(connection, room)
                try RoomPolicy.authorizeOwnerAction(try await self.actorFacts(connection, actor, room), "set roles")
                guard try await self.accountFacts(connection, user).registered else {
                    throw RoomStoreError(.noSuchUser, "no account `\(user)`: guests cannot hold a room role")
                }
                try await self.upsertMember(connection, stored, user, role, now: now)
                try await self.log(connection, stored, .role, actor.name, target: user, detail: role.rawValue, now: now)
            }
        }
    }

    package func invite(_ user: String, to room: String, by actor: RoomActor, now: Int64) async throws {
        try await guarded {
            try await transaction { connection in
                let stored = try await self.requireRoom(connection, room)
                try RoomPolicy.authorizeModerator(try await self.actorFacts(connection, actor, room), "invite")
                guard try await self.accountFacts(connection, user).registered else {
                    throw RoomStoreError(.noSuchUser, "no account `\(user)`: only registered users can be invited")
                }
                guard stored.visibility != .public else { return }
                try await connection.checkedQuery(
                    """
                    INSERT INTO room_invites (room_key, user_key, user_name, invited_by, created_at)
                    VALUES (\(Room.key(for: room)), \(Account.key(for: user)), \(user), \(actor.name), \(now))
                    ON CONFLICT (room_key, user_key) DO NOTHING
                    """, logger: self.logger)
                try await self.log(connection, stored, .invite, actor.name, target: user, now: now)
            }
        }
    }

    package func isInvited(_ user: String, to room: String) async throws -> Bool {
        try await guarded {
            !(try await query(
                """
                SELECT 1 FROM room_invites WHERE room_key = \(Room.key(for: room)) AND user_key = \(Account.key(for: user))
                """
            ).isEmpty)
        }
    }

    // MARK: Moderation

    /// Locks the room, checks the actor may `verb` the target, and returns the room.
    func authorizeModeration(
        _ connection: PostgresConnection, _ user: String, _ room: String, _ actor: RoomActor, verb: String
    )
        async throws -> Room
    {
        let stored = try await requireRoom(connection, room)
        try RoomPolicy.authorizeModeration(
            try await actorFacts(connection, actor, room), target: try await findRole(connection, user, room),
            targetIsAdmin: try await accountFacts(connection, user).admin, verb: verb)
        return stored
    }

    func removeMembership(_ connection: PostgresConnection, _ user: String, _ room: String) async throws {
        for table in ["room_members", "room_invites"] {
            try await connection.checkedQuery(
                """
                DELETE FROM \(unescaped: table) WHERE room_key = \(Room.key(for: room)) AND user_key = \(Account.key(for: user))
                """, logger: logger)
        }
    }

    package func kick(_ user: String, from room: String, reason: String, by actor: RoomActor, now: Int64) async throws {
        try await guarded {
            try await transaction { connection in
                let stored = try await self.authorizeModeration(connection, user, room, actor, verb: "kick")
                try await self.removeMembership(connection, user, room)
                try await self.log(connection, stored, .kick, actor.name, target: user, detail: reason, now: now)
            }
        }
    }

    package func ban(
        _ user: String, from room: String, until: Int64?, reason: String, by actor: RoomActor, now: Int64
    )
        async throws
    {
        try await guarded {
            try await transaction { connection in
                let stored = try await self.authorizeModeration(connection, user, room, actor, verb: "ban")
                try await self.removeMembership(connection, user, room)
                try await connection.checkedQuery(
                    """
                    INSERT INTO room_bans (room_key, user_key, user_name, until, reason, banned_by, created_at)
                    VALUES (\(Room.key(for: room)), \(Account.key(for: user)), \(user), \(until), \(reason), \(actor.name), \(now))
                    ON CONFLICT (room_key, user_key) DO UPDATE SET
                        until = excluded.until, reason = excluded.reason, banned_by = excluded.banned_by,
                        created_at = excluded.created_at
                    """, logger: self.logger)
                try await self.log(connection, stored, .ban, actor.name, target: user, detail: reason, now: now)
            }
        }
    }

    package func unban(_ user: String, in room: String, by actor: RoomActor, now: Int64) async throws -> Bool {
        try await guarded {
            try await transaction { connection in
                let stored = try await self.requireRoom(connection, room)
                try RoomPolicy.authorizeModerator(try await self.actorFacts(connection, actor, room), "lift a ban")
                let removed = try await connection.checkedQuery(
                    """
                    DELETE FROM room_bans WHERE room_key = \(Room.key(for: room)) AND user_key = \(Account.key(for: user))
                    RETURNING user_key
                    """, logger: self.logger)
                guard !removed.isEmpty else { return false }
                try await self.log(connection, stored, .unban, actor.name, target: user, now: now)
                return true
            }
        }
    }

    package func bans(in room: String, now: Int64) async throws -> [RoomBan] {
        try await guarded {
            try await query(
                """
                SELECT user_name, until, reason, banned_by, created_at FROM room_bans
                WHERE room_key = \(Room.key(for: room)) AND (until IS NULL OR until > \(now)) ORDER BY user_key
                """
            ).map { row in
                let (user, until, reason, by, createdAt) = try row.decode((String, Int64?, String, String, Int64).self)
                return RoomBan(user: user, until: until, reason: reason, bannedBy: by, createdAt: createdAt)
            }
        }
    }

    package func mute(_ user: String, in room: String, until: Int64?, by actor: RoomActor, now: Int64) async throws {
        try await guarded {
            try await transaction { connection in
                let stored = try await self.authorizeModeration(connection, user, room, actor, verb: "mute")
                try await connection.checkedQuery(
                    """
                    INSERT INTO room_mutes (room_key, user_key, user_name, until, muted_by, created_at)
                    VALUES (\(Room.key(for: room)), \(Account.key(for: user)), \(user), \(until), \(actor.name), \(now))
                    ON CONFLICT (room_key, user_key) DO UPDATE SET
                        until = excluded.until, muted_by = excluded.muted_by, created_at = excluded.created_at
                    """, logger: self.logger)
                try await self.log(
                    connection, stored, .mute, actor.name, target: user, detail: until.map { "\($0)" } ?? "", now: now)
            }
        }
    }

    package func unmute(_ user: String, in room: String, by actor: RoomActor, now: Int64) async throws -> Bool {
        try await guarded {
            try await transaction { connection in
                let stored = try await self.requireRoom(connection, room)
                try RoomPolicy.authorizeModerator(try await self.actorFacts(connection, actor, room), "lift a mute")
                let removed = try await connection.checkedQuery(
                    """
                    DELETE FROM room_mutes WHERE room_key = \(Room.key(for: room)) AND user_key = \(Account.key(for: user))
                    RETURNING user_key
                    """, logger: self.logger)
                guard !removed.isEmpty else { return false }
                try await self.log(connection, stored, .unmute, actor.name, target: user, now: now)
                return true
            }
        }
    }

    package func mutes(in room: String, now: Int64) async throws -> [RoomMute] {
        try await guarded {
            try await query(
                """
                SELECT user_name, until, muted_by, created_at FROM room_mutes
                WHERE room_key = \(Room.key(for: room)) AND (until IS NULL OR until > \(now)) ORDER BY user_key
                """
            ).map { row in
                let (user, until, by, createdAt) = try row.decode((String, Int64?, String, Int64).self)
                return RoomMute(user: user, until: until, mutedBy: by, createdAt: createdAt)
            }
        }
    }

    package func moderationLog(of room: String, limit: Int) async throws -> [ModerationEntry] {
        guard limit > 0 else { return [] }
        return try await guarded {
            try await query(
                """
                SELECT id, room_name, action, actor, target, detail, created_at, seq FROM moderation_log
                WHERE room_key = \(Room.key(for: room)) ORDER BY id DESC LIMIT \(limit)
                """
            ).map { row -> ModerationEntry in
                let (id, name, action, actor, target, detail, createdAt, seq) = try row.decode(
                    (Int64, String, String, String, String?, String, Int64, Int64?).self)
                guard let parsed = ModerationAction(rawValue: action) else {
                    throw StoreError(.unavailable, "unknown moderation action `\(action)`")
                }
                return ModerationEntry(
                    id: id, room: name, action: parsed, actor: actor, target: target, detail: detail,
                    createdAt: createdAt,
                    seq: seq)
            }.reversed().map { $0 }
        }
    }

    // MARK: Checks

    package func authorizeSend(user: String, room: String, now: Int64) async throws {
        try await guarded {
            try await client.withConnection { connection in
                guard let stored = try await self.findRoom(connection, room) else { return }
                if let until = try await self.activeUntil(connection, table: "room_bans", user, room, now: now) {
                    throw RoomStoreError.banned(from: stored.name, until: until)
                }
                if stored.visibility.requiresMembership, try await self.findRole(connection, user, room) == nil {
                    throw RoomStoreError(.notMember, "you are not a member of `\(stored.name)`; join it first")
                }
                if let until = try await self.activeUntil(connection, table: "room_mutes", user, room, now: now) {
                    throw RoomStoreError.muted(in: stored.name, until: until)
                }
            }
        }
    }

    package func authorizeRead(user: String?, room: String, now: Int64) async throws -> Room? {
        try await guarded {
            try await client.withConnection { connection in
                guard let stored = try await self.findRoom(connection, room) else { return nil }
                guard stored.visibility.requiresMembership else { return stored }
                guard let user else {
                    throw RoomStoreError(.forbidden, "the history of `\(stored.name)` is for its members only")
                }
                if try await self.activeUntil(connection, table: "room_bans", user, room, now: now) != nil {
                    throw RoomStoreError(.banned, "you are banned from `\(stored.name)`")
                }
                if try await self.findRole(connection, user, room) == nil,
                    !(try await self.accountFacts(connection, user).admin)
                {
                    throw RoomStoreError(.forbidden, "the history of `\(stored.name)` is for its members only")
                }
                return stored
            }
        }
    }

    // MARK: Block lists

    package func block(_ blocked: String, by user: String, now: Int64) async throws {
        try await guarded {
            _ = try await query(
                """
                INSERT INTO user_blocks (blocker_key, blocked_key, blocked_name, created_at)
                VALUES (\(Account.key(for: user)), \(Account.key(for: blocked)), \(blocked), \(now))
                ON CONFLICT (blocker_key, blocked_key) DO NOTHING
                """)
        }
    }

    package func unblock(_ blocked: String, by user: String) async throws -> Bool {
        try await guarded {
            !(try await query(
                """
                DELETE FROM user_blocks WHERE blocker_key = \(Account.key(for: user)) AND blocked_key = \(Account.key(for: blocked))
                RETURNING blocked_key
                """
            ).isEmpty)
        }
    }

    package func blockedUsers(of user: String) async throws -> [String] {
        try await guarded {
            try await query(
                "SELECT blocked_name FROM user_blocks WHERE blocker_key = \(Account.key(for: user)) ORDER BY blocked_key"
            ).map { try $0.decode(String.self) }
        }
    }

    package func hasBlocked(_ recipient: String, _ sender: String) async throws -> Bool {
        try await guarded {
            !(try await query(
                """
                SELECT 1 FROM user_blocks
                WHERE blocker_key = \(Account.key(for: recipient)) AND blocked_key = \(Account.key(for: sender))
                """
            ).isEmpty)
        }
    }

    // MARK: Direct conversations

    package func directPeers(of user: String) async throws -> [String] {
        try await guarded {
            try await query(
                """
                SELECT CASE WHEN user_a = \(user) THEN user_b ELSE user_a END AS peer FROM conversations
                WHERE kind = 'dm' AND (user_a = \(user) OR user_b = \(user)) AND last_seq > 0 ORDER BY peer
                """
            ).map { try $0.decode(String.self) }
        }
    }
}
