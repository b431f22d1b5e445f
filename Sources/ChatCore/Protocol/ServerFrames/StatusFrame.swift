/// `status`: whether watched users are online (a user with a session on any node). The answer
/// to `watch` lists every watched user; later ones only those whose state changed.
public struct StatusFrame: Encodable, Sendable, Equatable {
    public let type = "status"
    public var users: [String: Bool]

    public init(users: [String: Bool]) { self.users = users }
}
