import CoreMetrics
import Logging

extension Hub {
    /// Publishes this node's complete membership on `cluster.announce`.
    ///
    /// Join and leave events keep every node's roster current; the announcement repairs what
    /// events cannot: a node that started late learns who is already online, and a node that
    /// died without saying goodbye stops announcing and expires (Phoenix Tracker style).
    func announcePresence() async {
        var event = BrokerEvent(kind: .announce, node: nodeID)
        event.rooms = localRooms.mapValues { Array($0.keys) }
        event.users = Array(localUsers.keys)
        await publishTransient(BrokerTopic.clusterAnnounce, event)
    }

    /// Applies another node's (or this node's own) announcement.
    func applyAnnouncement(_ event: BrokerEvent) {
        nodeLastSeen[event.node] = ChatClock.monotonicMillis()
        let rooms = (event.rooms ?? [:]).mapValues { Set($0) }
        emitPresence(roster.replace(node: event.node, with: rooms))
        let users = Set(event.users ?? [])
        for (user, nodes) in onlineNodes where nodes.contains(event.node) && !users.contains(user) {
            onlineNodes[user]?.remove(event.node)
            if onlineNodes[user]?.isEmpty ?? false { onlineNodes[user] = nil }
        }
        for user in users { onlineNodes[user, default: []].insert(event.node) }
    }

    /// Drops every member of nodes that have not announced for three intervals.
    func expireSilentNodes() {
        let now = ChatClock.monotonicMillis()
        let limit = configuration.presenceAnnounceMillis * 3
        for (node, lastSeen) in nodeLastSeen where node != nodeID && now - lastSeen > limit {
            logger.notice("node went silent; its members are now offline", metadata: ["peer": "\(node)"])
            forget(node: node)
        }
    }

    /// Takes every member of `node` offline here: it is dead or silent.
    func forget(node: String) {
        nodeLastSeen[node] = nil
        nodesProbedAlive.remove(node)
        emitPresence(roster.replace(node: node, with: [:]))
        for (user, nodes) in onlineNodes where nodes.contains(node) {
            onlineNodes[user]?.remove(node)
            if onlineNodes[user]?.isEmpty ?? false { onlineNodes[user] = nil }
        }
    }

    /// The other nodes the broker confirmed alive at least once (tests wait for it).
    package var peersProbedAlive: Set<String> { nodesProbedAlive }

    /// Asks the broker about each other node (or only those holding `user`) whether its queue
    /// still exists, and forgets the nodes whose queue is gone.
    ///
    /// The broker drops a node's queue as soon as it sees the node's connection end (a crash
    /// closes the socket), so the node's guests are released within `nodeProbeMillis` of that,
    /// instead of three silent presence intervals later. A node counts as gone only after it was
    /// once seen alive; a probe that fails (the broker is unreachable from here) proves nothing.
    func releaseGoneNodes(holding user: String? = nil) async {
        let candidates = user.map { onlineNodes[$0] ?? [] } ?? Set(nodeLastSeen.keys)
        for node in candidates.sorted() where node != nodeID {
            let routed: Bool
            do {
                routed = try await broker.isRouted(BrokerTopic.nodeAlive(node))
            } catch {
                logger.debug("node probe failed", metadata: ["peer": "\(node)", "error": "\(error)"])
                return
            }
            if routed {
                // Only a node still known (it may have been forgotten meanwhile) is recorded.
                if nodeLastSeen[node] != nil || onlineNodes.values.contains(where: { $0.contains(node) }) {
                    nodesProbedAlive.insert(node)
                }
            } else if nodesProbedAlive.contains(node) {
                logger.notice("node's queue is gone; its members are now offline", metadata: ["peer": "\(node)"])
                forget(node: node)
            }
        }
    }

    /// Sends `presence` frames for roster transitions to the local members of each room.
    ///
    /// The user's own sessions learn their membership from `joined`/`left`, not from presence;
    /// so do sessions still joining, whose `joined` lists the members as of its sending.
    /// In a large room (above `presenceDetailLimit`) a transition only marks the room's count
    /// as changed; `flushPresenceCounts` sends it once per interval.
    func emitPresence(_ transitions: [RoomRoster.Transition]) {
        for transition in transitions {
            guard let members = localRooms[transition.room] else { continue }
            if roster.onlineCount(of: transition.room) > configuration.limits.presenceDetailLimit {
                presenceCountsDue.insert(transition.room)
                continue
            }
            let frame = ServerFrameEncoder.encode(
                PresenceFrame(
                    room: transition.room, user: transition.user, event: transition.event,
                    online: roster.onlineCount(of: transition.room)))
            let recipients = members.filter { $0.key != transition.user }.flatMap(\.value).filter {
                sessions[$0]?.rooms[transition.room]?.isJoining == false
            }
            fanOut(frame, to: recipients, ephemeral: true)
        }
    }

    /// Sends the online count of every large room whose membership changed since the last call,
    /// one `presence` frame (event `count`) per room to its local members.
    func flushPresenceCounts() {
        guard !presenceCountsDue.isEmpty else { return }
        let rooms = presenceCountsDue
        presenceCountsDue.removeAll(keepingCapacity: true)
        for room in rooms {
            guard let members = localRooms[room] else { continue }
            let frame = ServerFrameEncoder.encode(
                PresenceFrame(room: room, user: nil, event: .count, online: roster.onlineCount(of: room)))
            let recipients = members.values.joined().filter { sessions[$0]?.rooms[room]?.isJoining == false }
            fanOut(frame, to: recipients, ephemeral: true)
        }
    }

    /// After the broker connection recovered: re-announce at once and re-check every live room
    /// stream against the store, since this node's queue may have lost messages meanwhile.
    func brokerRecovered() async {
        metrics.brokerReconnects.increment()
        logger.notice("broker recovered: re-announcing presence and filling gaps from the store")
        await announcePresence()
        for (id, session) in sessions {
            for (room, subscription) in session.rooms {
                if case .live(let lastSeq) = subscription {
                    sessions[id]?.rooms[room] = .repairing(after: lastSeq, buffered: [])
                    gapRepairs.continuation.yield(GapRepair(session: id, room: room))
                }
            }
        }
    }
}
