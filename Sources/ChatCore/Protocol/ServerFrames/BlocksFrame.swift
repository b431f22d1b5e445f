/// `blocks`: a user's whole block list, sent to all of their sessions after each change, so
/// every tab hides the same senders.
public struct BlocksFrame: Encodable, Sendable, Equatable {
    public let type = "blocks"
    public var users: [String]

    public init(users: [String]) { self.users = users }
}
