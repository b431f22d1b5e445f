/// `block` and `unblock`: a user's own block list. A blocked user's DMs to them are refused.
public struct BlockFrame: Decodable, Sendable, Equatable {
    public var user: String

    public init(user: String) { self.user = user }
}
