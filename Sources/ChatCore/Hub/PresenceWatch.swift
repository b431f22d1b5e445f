/// Which sessions of this node follow which users' online state (`watch`), and the state they
/// were last told, so each change is sent once.
struct PresenceWatch {
    /// Most users one session may watch.
    static let maxUsersPerSession = 100

    private var watchers: [String: Set<SessionID>] = [:]
    private var watched: [SessionID: Set<String>] = [:]
    private var lastTold: [String: Bool] = [:]

    var isEmpty: Bool { watchers.isEmpty }

    /// The users someone here watches.
    var users: Dictionary<String, Set<SessionID>>.Keys { watchers.keys }

    /// Replaces `session`'s list; returns the users it now watches.
    mutating func watch(_ users: [String], by session: SessionID, online: (String) -> Bool) -> [String: Bool] {
        forget(session)
        var told: [String: Bool] = [:]
        for user in Set(users) {
            watchers[user, default: []].insert(session)
            watched[session, default: []].insert(user)
            let state = online(user)
            lastTold[user] = state
            told[user] = state
        }
        return told
    }

    /// Drops `session`'s list (it left).
    mutating func forget(_ session: SessionID) {
        for user in watched.removeValue(forKey: session) ?? [] {
            watchers[user]?.remove(session)
            if watchers[user]?.isEmpty ?? false {
                watchers[user] = nil
                lastTold[user] = nil
            }
        }
    }

    /// The watched users whose state differs from what their watchers were told, with the new
    /// state and who to tell; remembers it as told.
    mutating func changes(online: (String) -> Bool) -> [(user: String, online: Bool, sessions: Set<SessionID>)] {
        var changes: [(user: String, online: Bool, sessions: Set<SessionID>)] = []
        for (user, sessions) in watchers {
            let state = online(user)
            guard lastTold[user] != state else { continue }
            lastTold[user] = state
            changes.append((user, state, sessions))
        }
        return changes
    }
}
