/// `status`: whether watched users are online (a user with a session on any node). The answer
/// to `watch` lists every watched user; later ones only those whose state changed.
public struct StatusFrame: Encodable, Sendable, Equatable {
    public let type = "status"
    public var users: [String: Bool]
    /// In the answer to `watch`: the watched users without an account. A DM reaches a guest
    /// only while it is online (`user_offline` otherwise), so the composer can refuse one
    /// before it is sent, and say why.
    public var guests: [String]?

    public init(users: [String: Bool], guests: [String]? = nil) {
        self.users = users
        self.guests = guests
    }
}
