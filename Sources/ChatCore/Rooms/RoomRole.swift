/// A member's role in one room, from most to least powerful.
///
/// The server-wide `admin` flag of an account is not a room role: it lives on the account and
/// outranks every role in every room.
public enum RoomRole: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    case owner
    case moderator
    case member

    /// Higher is more powerful; a moderator acts only on roles strictly below their own.
    public var rank: Int {
        switch self {
        case .owner: 3
        case .moderator: 2
        case .member: 1
        }
    }

    public static func < (lhs: RoomRole, rhs: RoomRole) -> Bool { lhs.rank < rhs.rank }
}
