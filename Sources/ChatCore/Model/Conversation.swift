/// A place messages are exchanged in: a public room, or the direct conversation of two users.
///
/// `seq` numbers are gap-free per conversation, so the conversation is the unit of ordering,
/// storage and resume. A direct conversation is stored with its two users sorted, so that
/// alice→bob and bob→alice are the same conversation.
public enum Conversation: Hashable, Sendable, CustomStringConvertible {
    case room(String)
    case direct(String, String)

    /// The direct conversation between two users, normalised so the order does not matter.
    public static func direct(between a: String, and b: String) -> Conversation {
        a <= b ? .direct(a, b) : .direct(b, a)
    }

    /// A stable key for storage and maps: `room:<name>` or `dm:<a>:<b>`.
    public var key: String {
        switch self {
        case .room(let name): "room:\(name)"
        case .direct(let a, let b): "dm:\(a):\(b)"
        }
    }

    public var description: String { key }

    /// For a direct conversation, the participant who is not `user`.
    public func peer(of user: String) -> String? {
        guard case .direct(let a, let b) = self else { return nil }
        if a == user { return b }
        if b == user { return a }
        return nil
    }

    /// Whether `user` may read this conversation: everyone for rooms, the two parties for DMs.
    public func isVisible(to user: String) -> Bool {
        switch self {
        case .room: true
        case .direct(let a, let b): a == user || b == user
        }
    }
}
