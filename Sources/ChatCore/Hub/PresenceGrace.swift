/// Departures waiting out the presence grace period.
///
/// A reload, or a network drop of a few seconds, ends a user's last session on this node and
/// starts a new one moments later. Posting `left` to every room at the first and `joined` at the
/// second is noise (and flickers the DM peers' online dots), so a session that ends without
/// saying `bye` leaves its user *lingering*: still a member of the rooms it was the user's last
/// session in here, and still online, until the grace runs out. A session of the same user that
/// enters the room (or says `hello`) in time cancels the wait silently; when it runs out, the
/// `Hub` publishes the `leave` presence and `online: false` it held back.
///
/// A lingering guest's nick is free: the person reloading is most likely the one who comes back
/// for it, and a guest has no account to prove it either way (`Hub.handleHello`).
///
/// Each entry has its own deadline (monotonic ms). The type sends nothing: the `Hub` asks for
/// the expired entries after each grace (`expire(nowMillis:)`) and publishes what they held.
struct PresenceGrace {
    /// What ran out of grace: publish `leave` for each room, and `online: false` for each user.
    struct Expiry: Equatable {
        var leaves: [Leave] = []
        var offline: [String] = []

        var isEmpty: Bool { leaves.isEmpty && offline.isEmpty }
    }

    /// One user who stops counting as a member of one room.
    struct Leave: Equatable {
        var room: String
        var user: String
    }

    /// Lingering room memberships: room → user → deadline.
    private var rooms: [String: [String: Int64]] = [:]
    /// Lingering users (their last session here ended): user → deadline.
    private var users: [String: Int64] = [:]

    var isEmpty: Bool { rooms.isEmpty && users.isEmpty }

    /// A session ended without `bye`.
    ///
    /// - Parameters:
    ///   - user: its user.
    ///   - rooms: the rooms it was the user's last session in here.
    ///   - wentOffline: whether it was the user's last session here.
    ///   - deadline: when the wait ends (monotonic ms).
    /// - Returns: whether anything now waits (schedule an `expire`).
    mutating func depart(_ user: String, rooms left: some Sequence<String>, wentOffline: Bool, deadline: Int64) -> Bool
    {
        var waits = false
        for room in left {
            rooms[room, default: [:]][user] = deadline
            waits = true
        }
        if wentOffline {
            users[user] = deadline
            waits = true
        }
        return waits
    }

    /// A session of `user` said `hello` here: the user is online again, silently.
    ///
    /// - Returns: whether the user was lingering.
    @discardableResult
    mutating func returned(_ user: String) -> Bool {
        users.removeValue(forKey: user) != nil
    }

    /// A session of `user` entered `room` here: its membership goes on, silently.
    ///
    /// - Returns: whether the membership was lingering.
    @discardableResult
    mutating func entered(_ room: String, user: String) -> Bool {
        guard rooms[room]?.removeValue(forKey: user) != nil else { return false }
        if rooms[room]?.isEmpty ?? false { rooms[room] = nil }
        return true
    }

    /// Ends at once the lingering memberships of `room` whose user `matches` (a kick or a ban:
    /// no grace for those).
    ///
    /// - Returns: the users whose membership ended; publish their `leave` now.
    mutating func cancel(in room: String, where matches: (String) -> Bool) -> [String] {
        guard let waiting = rooms[room] else { return [] }
        let ended = waiting.keys.filter(matches).sorted()
        for user in ended { rooms[room]?[user] = nil }
        if rooms[room]?.isEmpty ?? false { rooms[room] = nil }
        return ended
    }

    /// Takes every entry whose deadline is at or before `nowMillis`.
    mutating func expire(nowMillis: Int64) -> Expiry {
        var expiry = Expiry()
        for (room, waiting) in rooms {
            for (user, deadline) in waiting where deadline <= nowMillis {
                expiry.leaves.append(Leave(room: room, user: user))
                rooms[room]?[user] = nil
            }
            if rooms[room]?.isEmpty ?? false { rooms[room] = nil }
        }
        for (user, deadline) in users where deadline <= nowMillis {
            expiry.offline.append(user)
            users[user] = nil
        }
        expiry.leaves.sort { ($0.room, $0.user) < ($1.room, $1.user) }
        expiry.offline.sort()
        return expiry
    }

    /// Whether `user` is lingering here (online only by grace).
    func isLingering(_ user: String) -> Bool { users[user] != nil }

    /// Whether `user`'s membership of `room` is lingering here.
    func isLingering(_ user: String, in room: String) -> Bool { rooms[room]?[user] != nil }

    /// What this node's announcement adds to its sessions' membership: the lingering room
    /// memberships (room → users) and the lingering users, so the periodic announcement does not
    /// post the departures the grace holds back.
    var announcement: (rooms: [String: [String]], users: [String]) {
        (rooms.mapValues { $0.keys.sorted() }, users.keys.sorted())
    }
}
