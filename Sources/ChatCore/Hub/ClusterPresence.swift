/// Who is online across the cluster, as this node learns it from broker events.
///
/// Three sources keep it current: `presence` join/leave events per room, `online` events per
/// user, and every node's periodic `announce` of its complete membership, which repairs what
/// events cannot (a node that started late, a node that died without saying goodbye: it stops
/// announcing and expires, Phoenix Tracker style). Each mutation returns the transitions it
/// caused, and the `Hub` turns those into `presence` frames; the type itself sends nothing.
struct ClusterPresence {
    /// What one roster transition shows this node's clients.
    enum Emission: Equatable {
        /// A `presence` frame for the room's other local members.
        case frame(PresenceFrame)
        /// Nothing now: the room is large, and its count goes out with the next count flush.
        case countDue
    }

    /// This node's id: it never expires itself.
    let nodeID: String
    /// Users online per room, and on which nodes.
    private(set) var roster = RoomRoster()
    /// Nodes on which each user is online, from `cluster.online` events and announcements.
    private var onlineNodes: [String: Set<String>] = [:]
    /// Of those, the nodes where the user only lingers: their sessions there ended within the
    /// presence grace (`PresenceGrace`). Online for rooms and watchers; a guest's nick is free.
    private var lingeringNodes: [String: Set<String>] = [:]
    /// When each node (this one included) last announced its members, in monotonic ms.
    private var lastSeen: [String: Int64] = [:]
    /// Large rooms whose online count changed since the last count flush.
    private var countsDue: Set<String> = []
    /// Other nodes whose `node.<id>.alive` binding the broker confirmed at least once: only
    /// those count as gone when it disappears (a node of an older version never binds it).
    private(set) var nodesProbedAlive: Set<String> = []

    init(nodeID: String) {
        self.nodeID = nodeID
    }

    /// A `presence` event: `user` has (or no longer has) a session in `room` on `node`.
    mutating func apply(
        _ change: PresenceFrame.Event, room: String, user: String, node: String
    ) -> [RoomRoster.Transition] {
        let changed =
            switch change {
            case .join: roster.join(room: room, user: user, node: node)
            case .leave: roster.leave(room: room, user: user, node: node)
            case .count, .batch: false  // never published: each node derives counts and batches
            }
        return changed ? [RoomRoster.Transition(room: room, user: user, event: change)] : []
    }

    /// An `online` event: `user` has (or no longer has) a session on `node`; `lingering`: the
    /// user's sessions there ended within the presence grace, and it still counts as online.
    mutating func setOnline(_ user: String, on node: String, _ online: Bool, lingering: Bool = false) {
        if online {
            onlineNodes[user, default: []].insert(node)
            setLingering(user, on: node, lingering)
        } else {
            remove(user, from: node)
        }
    }

    /// A node's announcement of its complete membership, received at `nowMillis`.
    ///
    /// - Parameter lingering: those of `users` who only linger there (`setOnline`).
    mutating func applyAnnouncement(
        from node: String, rooms: [String: Set<String>], users: Set<String>, lingering: Set<String> = [],
        nowMillis: Int64
    ) -> [RoomRoster.Transition] {
        lastSeen[node] = nowMillis
        for (user, nodes) in onlineNodes where nodes.contains(node) && !users.contains(user) {
            remove(user, from: node)
        }
        for user in users {
            onlineNodes[user, default: []].insert(node)
            setLingering(user, on: node, lingering.contains(user))
        }
        return roster.replace(node: node, with: rooms)
    }

    /// Forgets every node (but this one) that has not announced for `silenceMillis`.
    ///
    /// - Returns: the expired nodes, and the transitions their members' departure caused.
    mutating func expireSilentNodes(
        nowMillis: Int64, silenceMillis: Int64
    ) -> (nodes: [String], transitions: [RoomRoster.Transition]) {
        let expired = lastSeen.filter { $0.key != nodeID && nowMillis - $0.value > silenceMillis }.keys.sorted()
        var transitions: [RoomRoster.Transition] = []
        for node in expired { transitions += forget(node) }
        return (expired, transitions)
    }

    /// The other nodes worth asking the broker about: every node heard from, or only those
    /// holding `user`.
    func probeCandidates(holding user: String? = nil) -> [String] {
        let nodes = user.map { onlineNodes[$0] ?? [] } ?? Set(lastSeen.keys)
        return nodes.filter { $0 != nodeID }.sorted()
    }

    /// The broker answered whether `node`'s liveness topic still reaches its queue.
    ///
    /// - Returns: the transitions of forgetting the node when its queue is gone and it was seen
    ///   alive before; nil when nothing changed.
    mutating func probed(_ node: String, routed: Bool) -> [RoomRoster.Transition]? {
        if routed {
            // Only a node still known (it may have been forgotten meanwhile) is recorded.
            if lastSeen[node] != nil || onlineNodes.values.contains(where: { $0.contains(node) }) {
                nodesProbedAlive.insert(node)
            }
            return nil
        }
        guard nodesProbedAlive.contains(node) else { return nil }
        return forget(node)
    }

    /// Takes every member of `node` offline: it is dead or silent.
    mutating func forget(_ node: String) -> [RoomRoster.Transition] {
        lastSeen[node] = nil
        nodesProbedAlive.remove(node)
        for (user, nodes) in onlineNodes where nodes.contains(node) {
            remove(user, from: node)
        }
        return roster.replace(node: node, with: [:])
    }

    /// Whether `user` has a session on any node this node has heard from (or lingers there).
    func isOnline(_ user: String) -> Bool {
        !(onlineNodes[user]?.isEmpty ?? true)
    }

    /// Whether `user` has a session, not merely a lingering departure, on a node other than
    /// `node` (this one: its own sessions are `LocalMembership`'s to answer): what holds a
    /// guest's nick.
    func isConnected(_ user: String, elsewhereThan node: String) -> Bool {
        guard let nodes = onlineNodes[user] else { return false }
        let lingering = lingeringNodes[user] ?? []
        return nodes.contains { $0 != node && !lingering.contains($0) }
    }

    /// What a transition shows: a frame in a small room; in a room above `detailLimit` members,
    /// only a count, sent later by `takeDueCounts`.
    mutating func emission(for transition: RoomRoster.Transition, detailLimit: Int) -> Emission {
        let online = roster.onlineCount(of: transition.room)
        if online > detailLimit {
            countsDue.insert(transition.room)
            return .countDue
        }
        return .frame(
            PresenceFrame(room: transition.room, user: transition.user, event: transition.event, online: online))
    }

    /// What one room's batch of transitions (`PresenceBatch`) shows: nothing when they cancel
    /// out; a count later in a large room; one user's frame when only one user changed (as
    /// `emission(for:)` would); otherwise one `batch` frame naming everyone who came and went.
    mutating func emission(
        forBatch transitions: [RoomRoster.Transition], in room: String, detailLimit: Int
    ) -> Emission? {
        if transitions.count == 1 { return emission(for: transitions[0], detailLimit: detailLimit) }
        let net = PresenceBatch.net(of: transitions)
        guard !net.isEmpty else { return nil }
        let online = roster.onlineCount(of: room)
        if online > detailLimit {
            countsDue.insert(room)
            return .countDue
        }
        if net.count == 1 {
            let (user, event) = net.joined.first.map { ($0, PresenceFrame.Event.join) } ?? (net.left[0], .leave)
            return .frame(PresenceFrame(room: room, user: user, event: event, online: online))
        }
        return .frame(
            PresenceFrame(room: room, user: nil, event: .batch, online: online, joined: net.joined, left: net.left))
    }

    /// The `presence` count frames of every large room whose count changed since the last call.
    mutating func takeDueCounts() -> [PresenceFrame] {
        guard !countsDue.isEmpty else { return [] }
        defer { countsDue.removeAll(keepingCapacity: true) }
        return countsDue.sorted().map {
            PresenceFrame(room: $0, user: nil, event: .count, online: roster.onlineCount(of: $0))
        }
    }

    private mutating func remove(_ user: String, from node: String) {
        onlineNodes[user]?.remove(node)
        if onlineNodes[user]?.isEmpty ?? false { onlineNodes[user] = nil }
        setLingering(user, on: node, false)
    }

    private mutating func setLingering(_ user: String, on node: String, _ lingering: Bool) {
        if lingering {
            lingeringNodes[user, default: []].insert(node)
        } else if lingeringNodes[user]?.remove(node) != nil, lingeringNodes[user]!.isEmpty {
            lingeringNodes[user] = nil
        }
    }
}
