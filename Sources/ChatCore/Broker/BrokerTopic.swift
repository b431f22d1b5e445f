/// The routing keys and binding patterns of the `rabbitchat` topic exchange (DESIGN.md,
/// "Broker topics"). Names are `[A-Za-z0-9_-]`, so they never need escaping.
enum BrokerTopic {
    static func room(_ room: String, _ kind: BrokerEvent.Kind) -> String { "room.\(room).\(kind.rawValue)" }
    static func user(_ user: String, _ kind: BrokerEvent.Kind) -> String { "user.\(user).\(kind.rawValue)" }
    static func roomBinding(_ room: String) -> String { "room.\(room).#" }
    static func userBinding(_ user: String) -> String { "user.\(user).#" }
    /// Bound by node `node` to its own queue only: a message to it is routed exactly while the
    /// node's queue exists (`Broker.isRouted`), so a node that died is known as soon as the
    /// broker dropped its queue.
    static func nodeAlive(_ node: String) -> String { "node.\(node).alive" }
    static let clusterOnline = "cluster.online"
    static let clusterAnnounce = "cluster.announce"
    static let clusterBinding = "cluster.#"
    static let allRoomsPresenceBinding = "room.*.presence"
}
