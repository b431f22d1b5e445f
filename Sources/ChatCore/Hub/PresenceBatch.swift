/// The presence transitions of each room that wait to go out together.
///
/// Without it, filling a room of N members costs N²/2 `presence` frames: every join reaches
/// every member already there, and the joins of a burst queue behind each other's fan-outs
/// (1,000 clients joining one room sent about 500,000 frames). The hub collects a room's
/// transitions for a short window (`Hub.Configuration.presenceBatch`) and then sends each
/// member one frame for all of them: the burst costs N frames per window instead of per join.
/// A room's batch also goes out before anything else is sent to the room, so a member never
/// sees a message from a user before learning that the user joined.
struct PresenceBatch {
    /// What a room's batch amounts to once its transitions cancel out.
    struct Net: Equatable {
        /// Users online in the room now who were not when the batch began, by name.
        var joined: [String] = []
        /// Users offline in the room now who were online when the batch began, by name.
        var left: [String] = []

        var isEmpty: Bool { joined.isEmpty && left.isEmpty }
        var count: Int { joined.count + left.count }
    }

    /// Whether a transition goes out now or waits for its room's batch.
    enum Admission: Equatable {
        /// The room was quiet for a whole window: send it at once, as without batching.
        case sendNow
        /// It joined the room's batch; `firstInBatch` says the caller must schedule the flush.
        case batched(firstInBatch: Bool)
    }

    /// Each room's transitions, in the order they happened.
    private var pending: [String: [RoomRoster.Transition]] = [:]
    /// When each room last had presence sent, in the hub's monotonic ms; rooms quiet for a
    /// window are forgotten by `forgetQuietRooms`.
    private var lastSent: [String: Int64] = [:]

    /// Whether no room has transitions waiting.
    var isEmpty: Bool { pending.isEmpty }

    /// Decides a transition's fate: the first after a quiet window goes at once (a lone join is
    /// not delayed), the rest of a burst waits for the room's batch.
    mutating func admit(_ transition: RoomRoster.Transition, nowMillis: Int64, windowMillis: Int64) -> Admission {
        let room = transition.room
        if pending[room] == nil, lastSent[room].map({ nowMillis - $0 >= windowMillis }) ?? true {
            lastSent[room] = nowMillis
            return .sendNow
        }
        let first = pending.isEmpty
        pending[room, default: []].append(transition)
        return .batched(firstInBatch: first)
    }

    /// Takes the transitions waiting for `room` (none: an empty array), to be sent now.
    mutating func take(room: String, nowMillis: Int64) -> [RoomRoster.Transition] {
        guard let transitions = pending.removeValue(forKey: room) else { return [] }
        lastSent[room] = nowMillis
        return transitions
    }

    /// Takes every room's transitions, rooms in name order, to be sent now.
    mutating func takeAll(nowMillis: Int64) -> [(room: String, transitions: [RoomRoster.Transition])] {
        defer { pending.removeAll() }
        return pending.keys.sorted().map { room in
            lastSent[room] = nowMillis
            return (room, pending[room]!)
        }
    }

    /// Forgets when quiet rooms last had presence: bounds the memory to the rooms active within
    /// the last window.
    mutating func forgetQuietRooms(nowMillis: Int64, windowMillis: Int64) {
        lastSent = lastSent.filter { nowMillis - $0.value < windowMillis || pending[$0.key] != nil }
    }

    /// The net change of one room's transitions.
    ///
    /// The roster reports a transition only when a user's state really changes, so one user's
    /// transitions alternate: an even number cancels out, an odd number ends in the last one.
    static func net(of transitions: [RoomRoster.Transition]) -> Net {
        var last: [String: (event: PresenceFrame.Event, count: Int)] = [:]
        for transition in transitions {
            let count = (last[transition.user]?.count ?? 0) + 1
            last[transition.user] = (transition.event, count)
        }
        var net = Net()
        for (user, state) in last where state.count % 2 == 1 {
            switch state.event {
            case .join: net.joined.append(user)
            case .leave: net.left.append(user)
            case .count, .batch: break
            }
        }
        net.joined.sort()
        net.left.sort()
        return net
    }
}
