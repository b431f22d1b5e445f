/// Who is online in each room, across all nodes, as learnt from broker presence events.
///
/// A user is online in a room while at least one node reports a session of theirs in it. The
/// roster answers "did this event change who is online?" so each node emits `presence` frames
/// only for real transitions.
struct RoomRoster: Sendable {
    private var rooms: [String: [String: Set<String>]] = [:]

    /// Records that `user` has a session in `room` on `node`; true if the user just came online
    /// in the room.
    mutating func join(room: String, user: String, node: String) -> Bool {
        // Mutated in place: copying a large room's dictionary per join would make filling it O(n²).
        rooms[room, default: [:]][user, default: []].insert(node).inserted
            && rooms[room]![user]!.count == 1
    }

    /// Records that `user` has no more sessions in `room` on `node`; true if the user just went
    /// offline in the room.
    mutating func leave(room: String, user: String, node: String) -> Bool {
        guard rooms[room]?[user]?.remove(node) != nil else { return false }
        guard rooms[room]![user]!.isEmpty else { return false }
        rooms[room]![user] = nil
        if rooms[room]!.isEmpty { rooms[room] = nil }
        return true
    }

    /// A change of who is online in a room.
    struct Transition: Equatable {
        var room: String
        var user: String
        var event: PresenceFrame.Event
    }

    /// Makes `rooms` (room → users) the complete membership of `node`, returning the users who
    /// came online or went offline in a room because of it.
    mutating func replace(node: String, with newRooms: [String: Set<String>]) -> [Transition] {
        var transitions: [Transition] = []
        // Entries the node no longer reports.
        for (room, users) in rooms {
            for (user, nodes) in users where nodes.contains(node) && !(newRooms[room]?.contains(user) ?? false) {
                if leave(room: room, user: user, node: node) {
                    transitions.append(Transition(room: room, user: user, event: .leave))
                }
            }
        }
        // Entries the node reports that were missing.
        for (room, users) in newRooms {
            for user in users where join(room: room, user: user, node: node) {
                transitions.append(Transition(room: room, user: user, event: .join))
            }
        }
        return transitions
    }

    /// The users online in `room`, sorted.
    func members(of room: String) -> [String] {
        (rooms[room]?.keys).map { $0.sorted() } ?? []
    }

    /// At most `limit` users online in `room`, sorted: all of them in a small room, an arbitrary
    /// sample of a large one, without sorting (or copying) the whole room.
    func members(of room: String, limit: Int) -> [String] {
        guard let users = rooms[room]?.keys else { return [] }
        return users.prefix(limit).sorted()
    }

    /// Whether `user` is online in `room`.
    func contains(_ user: String, in room: String) -> Bool {
        rooms[room]?[user] != nil
    }

    /// The number of users online in `room`.
    func onlineCount(of room: String) -> Int { rooms[room]?.count ?? 0 }

    /// Every room with at least one user online, with its count.
    var counts: [(room: String, online: Int)] {
        rooms.map { ($0.key, $0.value.count) }
    }
}
