/// Who asks a `RoomStore` for a change: a signed-in user, whose roles are checked, or the
/// operator at the command line, who may do anything.
public enum RoomActor: Sendable, Equatable {
    /// A chat user (registered or guest) acting through a session or the HTTP API.
    case user(String)
    /// `rabbitchat room …` run by whoever holds the database.
    case serverOperator

    /// The name recorded in the moderation log and on bans.
    public var name: String {
        switch self {
        case .user(let name): name
        case .serverOperator: Self.operatorName
        }
    }

    /// How the command line is named in the moderation log (not a valid user name, so no
    /// account can pose as it).
    public static let operatorName = "(operator)"
}
