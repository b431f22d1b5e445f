/// `watch`: the users whose online state this session wants to follow (its DM peers), replacing
/// any earlier list. A DM peer's dot is then right even when the two share no room.
public struct WatchFrame: Decodable, Sendable, Equatable {
    public var users: [String]

    public init(users: [String]) { self.users = users }
}
