/// The mutes a node enforces on `send`, without a store call per message.
///
/// A node learns a user's mute in a room from the store when one of the user's sessions joins
/// it (`RoomJoin.mute`), and from the `mute`/`unmute` events of the room's `seq` stream, which
/// every node with members of the room receives. It holds only muted users, and forgets a mute
/// once it has ended, so it stays as small as the set of active mutes of joined rooms.
struct RoomMutes {
    private var until: [Key: Int64?] = [:]

    private struct Key: Hashable {
        var room: String
        var user: String

        init(room: String, user: String) {
            self.room = Room.key(for: room)
            self.user = Account.key(for: user)
        }
    }

    /// No mute known: the usual case, which `send` checks first.
    var isEmpty: Bool { until.isEmpty }

    /// Records that `user` is muted in `room` until `end` (ms since 1970; nil: for ever).
    mutating func mute(_ user: String, in room: String, until end: Int64?) {
        until[Key(room: room, user: user)] = .some(end)
    }

    /// Forgets `user`'s mute in `room`.
    mutating func unmute(_ user: String, in room: String) {
        until.removeValue(forKey: Key(room: room, user: user))
    }

    /// Whether `user` may not send in `room` at `now`, and until when; nil: they may send. A mute
    /// that has ended is forgotten.
    mutating func activeMute(of user: String, in room: String, now: Int64) -> Int64?? {
        guard !until.isEmpty else { return .none }
        let key = Key(room: room, user: user)
        guard let end = until[key] else { return .none }
        if let end, end <= now {
            until.removeValue(forKey: key)
            return .none
        }
        return .some(end)
    }

    /// Applies a join's view of the user's mute (the store's, as of the join).
    mutating func apply(_ mute: RoomJoin.Mute, of user: String, in room: String) {
        switch mute {
        case .none: unmute(user, in: room)
        case .until(let end): self.mute(user, in: room, until: end)
        }
    }
}
