import ChatCore

extension Conversation {
    /// `room` or `dm`, the `kind` column of the conversations table.
    var storageKind: String {
        switch self {
        case .room: "room"
        case .direct: "dm"
        }
    }

    /// The room name, or nil for a direct conversation.
    var storageRoom: String? {
        if case .room(let name) = self { return name }
        return nil
    }

    /// The two parties of a direct conversation (sorted), or nils for a room.
    var storageParties: (String?, String?) {
        if case .direct(let a, let b) = self { return (a, b) }
        return (nil, nil)
    }

    /// A fresh epoch: random, so a conversation whose history was reset never reuses one.
    static func newEpoch() -> String {
        String(UInt64.random(in: 1...UInt64.max), radix: 36)
    }

    /// The conversation a `conversations` row describes (`kind`, `room`, `user_a`, `user_b`);
    /// nil for a row this version cannot read.
    static func stored(kind: String, room: String?, userA: String?, userB: String?) -> Conversation? {
        switch kind {
        case "room": room.map(Conversation.room)
        case "dm": userA.flatMap { a in userB.map { b in Conversation.direct(a, b) } }
        default: nil
        }
    }
}
