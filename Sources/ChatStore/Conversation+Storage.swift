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
}
