import NIOCore

/// This node's sessions: who they are, which rooms they are in, and which broker bindings the
/// node holds for them.
///
/// Every question fan-out asks ("who here gets this room's message?", "which of alice's
/// sessions are here?") is answered from these indexes, and recipients come back grouped by
/// event loop (`FanOut`), so the `Hub` hands each loop one batch. Mutations return what changed
/// (a user's first session, a room's last member) and the `Hub` publishes presence and binds or
/// unbinds accordingly; the type itself never talks to the broker.
///
/// The sessions are `SessionState` objects owned by this value, never shared outside the `Hub`
/// actor (see `SessionState` for why they are objects).
struct LocalMembership {
    /// A session that left a room.
    struct RoomExit: Equatable {
        var room: String
        /// Whether it was the user's last session in the room here (publish `leave` presence).
        var userLeft: Bool
    }

    /// What removing a session changed.
    struct Departure {
        var session: SessionState
        /// The rooms it was in.
        var rooms: [RoomExit]
        /// Whether it was its user's last session here (publish `online: false`, unbind the user).
        var userWentOffline: Bool
    }

    /// What a live room message does.
    struct Routing {
        /// The sessions to write it to now, by event loop.
        var recipients = FanOut()
        /// Sessions whose stream skipped a `seq`: fill their gap from the store.
        var repairs: [SessionID] = []
    }

    private(set) var sessions: [SessionID: SessionState] = [:]
    private var lastSessionNumber: UInt64 = 0
    /// Local sessions per user (identified sessions only).
    private(set) var users: [String: Set<SessionID>] = [:]
    /// Local sessions per room and user.
    private(set) var rooms: [String: [String: Set<SessionID>]] = [:]
    /// Reference counts of the broker bindings the node holds for its sessions.
    var bindings = BindingTable()

    /// A new session, not yet identified.
    mutating func connect(sink: any SessionSink, allowance: ConnectionAllowance) -> SessionID {
        lastSessionNumber += 1
        let id = SessionID(rawValue: lastSessionNumber)
        sessions[id] = SessionState(id: id, sink: sink, allowance: allowance)
        return id
    }

    subscript(id: SessionID) -> SessionState? { sessions[id] }

    /// Gives a session its user (after `hello`).
    ///
    /// - Returns: whether it is the user's first session here.
    mutating func identify(_ id: SessionID, as user: String) -> Bool {
        guard let session = sessions[id] else { return false }
        session.user = user
        let first = users[user] == nil
        users[user, default: []].insert(id)
        return first
    }

    /// Undoes `identify` (the broker refused the user's binding).
    mutating func unidentify(_ id: SessionID) {
        guard let session = sessions[id], let user = session.user else { return }
        session.user = nil
        removeUserIndex(user, id)
    }

    /// Whether `user` has a session here.
    func isLocal(_ user: String) -> Bool { users[user] != nil }

    /// Puts a session in a room, its stream joining.
    ///
    /// - Returns: whether it is the user's first session in the room here (publish `join`).
    mutating func enter(_ room: String, user: String, session id: SessionID) -> Bool {
        sessions[id]?.rooms[room] = .joining
        let first = rooms[room]?[user]?.isEmpty ?? true
        rooms[room, default: [:]][user, default: []].insert(id)
        return first
    }

    /// Takes a session out of a room.
    ///
    /// - Returns: nil when it was not in the room.
    mutating func exit(_ room: String, user: String, session id: SessionID) -> RoomExit? {
        sessions[id]?.rooms[room] = nil
        return removeRoomIndex(room, user, id)
    }

    /// Forgets a session and takes it out of every room.
    ///
    /// - Returns: nil when there is no such session.
    mutating func disconnect(_ id: SessionID) -> Departure? {
        guard let session = sessions.removeValue(forKey: id) else { return nil }
        var departure = Departure(session: session, rooms: [], userWentOffline: false)
        guard let user = session.user else { return departure }
        for room in session.rooms.keys.sorted() {
            if let exit = removeRoomIndex(room, user, id) { departure.rooms.append(exit) }
        }
        departure.userWentOffline = removeUserIndex(user, id)
        return departure
    }

    /// The sessions here of `room`'s members, but `user`'s.
    func sessions(in room: String, excluding user: String? = nil) -> [SessionID] {
        guard let members = rooms[room] else { return [] }
        var ids: [SessionID] = []
        for (member, sessions) in members where member != user { ids.append(contentsOf: sessions) }
        return ids
    }

    /// The sessions here of `user`.
    func sessions(of user: String) -> Set<SessionID> { users[user] ?? [] }

    /// The users with a session in `room` on this node, with those sessions.
    func usersAndSessions(in room: String) -> [String: Set<SessionID>] { rooms[room] ?? [:] }

    /// The recipients among `ids`, grouped by event loop; optionally only sessions whose stream
    /// of `liveIn` has gone past `joining`.
    func recipients(_ ids: some Sequence<SessionID>, liveIn room: String? = nil) -> FanOut {
        var fanOut = FanOut()
        for id in ids {
            guard let session = sessions[id] else { continue }
            if let room, session.rooms[room]?.isJoining ?? true { continue }
            fanOut.add(session.sink)
        }
        return fanOut
    }

    /// Routes a room's live message through each local member's stream: the hot loop of a
    /// broadcast, one dictionary walk per recipient.
    mutating func route(seq: Int64, frame: ByteBuffer, in room: String) -> Routing {
        var routing = Routing()
        guard let members = rooms[room] else { return routing }
        for ids in members.values {
            for id in ids {
                guard let session = sessions[id] else { continue }
                switch session.rooms[room]?.receive(seq: seq, frame: frame) {
                case .deliver?: routing.recipients.add(session.sink)
                case .repair?: routing.repairs.append(id)
                case .hold?, .skip?, nil: break
                }
            }
        }
        return routing
    }

    /// Routes a direct message to `recipient`'s sessions here, skipping those that have it.
    func route(seq: Int64, conversationKey: String, to recipient: String) -> FanOut {
        var fanOut = FanOut()
        for id in users[recipient] ?? [] {
            guard let session = sessions[id], seq > session.directLastSeq[conversationKey, default: 0] else { continue }
            session.directLastSeq[conversationKey] = seq
            fanOut.add(session.sink)
        }
        return fanOut
    }

    /// This node's membership as it announces it: users per room, and users.
    var announcement: (rooms: [String: [String]], users: [String]) {
        (rooms.mapValues { Array($0.keys) }, Array(users.keys))
    }

    /// - Returns: whether it was the user's last session in the room here.
    private mutating func removeRoomIndex(_ room: String, _ user: String, _ id: SessionID) -> RoomExit? {
        guard rooms[room]?[user]?.remove(id) != nil else { return nil }
        guard rooms[room]![user]!.isEmpty else { return RoomExit(room: room, userLeft: false) }
        rooms[room]![user] = nil
        if rooms[room]!.isEmpty { rooms[room] = nil }
        return RoomExit(room: room, userLeft: true)
    }

    /// - Returns: whether it was the user's last session here.
    @discardableResult
    private mutating func removeUserIndex(_ user: String, _ id: SessionID) -> Bool {
        guard users[user]?.remove(id) != nil, users[user]!.isEmpty else { return false }
        users[user] = nil
        return true
    }
}
