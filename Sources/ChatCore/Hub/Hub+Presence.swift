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
        (event.rooms, event.users) = membership.announcement
        if !grace.isEmpty {
            // Departures within the presence grace still count, or the announcement would post them.
            let lingering = grace.announcement
            for (room, users) in lingering.rooms {
                event.rooms![room] = Array(Set(event.rooms![room] ?? []).union(users))
            }
            event.users = Array(Set(event.users ?? []).union(lingering.users))
            event.lingeringUsers = lingering.users.isEmpty ? nil : lingering.users
        }
        await publishTransient(BrokerTopic.clusterAnnounce, event)
    }

    /// Applies another node's (or this node's own) announcement.
    func applyAnnouncement(_ event: BrokerEvent) {
        let rooms = (event.rooms ?? [:]).mapValues { Set($0) }
        emitPresence(
            presence.applyAnnouncement(
                from: event.node, rooms: rooms, users: Set(event.users ?? []),
                lingering: Set(event.lingeringUsers ?? []), nowMillis: configuration.clock()))
        tellWatchers()
    }

    /// Drops every member of nodes that have not announced for three intervals.
    func expireSilentNodes() {
        let (nodes, transitions) = presence.expireSilentNodes(
            nowMillis: configuration.clock(), silenceMillis: configuration.presenceAnnounce.wholeMilliseconds * 3)
        for node in nodes {
            logger.notice("node went silent; its members are now offline", metadata: ["peer": "\(node)"])
        }
        emitPresence(transitions)
        tellWatchers()
    }

    /// The other nodes the broker confirmed alive at least once (tests wait for it).
    package var peersProbedAlive: Set<String> { presence.nodesProbedAlive }

    /// Asks the broker about each other node (or only those holding `user`) whether its queue
    /// still exists, and forgets the nodes whose queue is gone.
    ///
    /// The broker drops a node's queue as soon as it sees the node's connection end (a crash
    /// closes the socket), so the node's guests are released within `nodeProbe` of that,
    /// instead of three silent presence intervals later. A node counts as gone only after it was
    /// once seen alive; a probe that fails (the broker is unreachable from here) proves nothing.
    func releaseGoneNodes(holding user: String? = nil) async {
        for node in presence.probeCandidates(holding: user) {
            let routed: Bool
            do {
                routed = try await broker.isRouted(BrokerTopic.nodeAlive(node))
            } catch {
                logger.debug("node probe failed", metadata: ["peer": "\(node)", "error": "\(error)"])
                return
            }
            if let transitions = presence.probed(node, routed: routed) {
                logger.notice("node's queue is gone; its members are now offline", metadata: ["peer": "\(node)"])
                emitPresence(transitions)
                tellWatchers()
            }
        }
    }

    /// Sends `presence` frames for roster transitions to the local members of each room: the
    /// first after a quiet window at once, the rest of a burst together after the presence
    /// batch window (`PresenceBatch`); each at once when the window is zero.
    func emitPresence(_ transitions: [RoomRoster.Transition]) {
        let window = configuration.presenceBatch
        let windowMillis = window.wholeMilliseconds
        let now = configuration.clock()
        for transition in transitions where membership.rooms[transition.room] != nil {
            guard windowMillis > 0 else {
                sendPresence([transition], in: transition.room)
                continue
            }
            switch presenceBatch.admit(transition, nowMillis: now, windowMillis: windowMillis) {
            case .sendNow:
                sendPresence([transition], in: transition.room)
            case .batched(let first):
                guard first else { continue }
                Task {
                    try? await Task.sleep(for: window)
                    self.flushPresenceBatch()
                }
            }
        }
    }

    /// Sends every room's waiting presence transitions.
    func flushPresenceBatch() {
        for (room, transitions) in presenceBatch.takeAll(nowMillis: configuration.clock()) {
            sendPresence(transitions, in: room)
        }
    }

    /// Sends `room`'s waiting presence transitions now: called before anything else goes to the
    /// room's members, so they learn who joined before they hear from them.
    func flushPresence(in room: String) {
        guard !presenceBatch.isEmpty else { return }
        let transitions = presenceBatch.take(room: room, nowMillis: configuration.clock())
        if !transitions.isEmpty { sendPresence(transitions, in: room) }
    }

    /// Sends one room's transitions to its live local members.
    ///
    /// The user's own sessions learn their membership from `joined`/`left`, not from presence;
    /// so do sessions still joining, whose `joined` lists the members as of its sending.
    /// In a large room (above `presenceDetailLimit`) a transition only marks the room's count
    /// as changed; `flushPresenceCounts` sends it once per interval.
    private func sendPresence(_ transitions: [RoomRoster.Transition], in room: String) {
        guard membership.rooms[room] != nil,
            case .frame(let frame)? = presence.emission(
                forBatch: transitions, in: room, detailLimit: configuration.limits.presenceDetailLimit)
        else { return }
        // A one-user frame skips that user's sessions; a batch goes to every live member.
        membership.recipients(membership.sessions(in: room, excluding: frame.user), liveIn: room)
            .send(ServerFrameEncoder.encode(frame), ephemeral: true)
    }

    /// Sends the online count of every large room whose membership changed since the last call,
    /// one `presence` frame (event `count`) per room to its local members.
    func flushPresenceCounts() {
        presenceBatch.forgetQuietRooms(
            nowMillis: configuration.clock(), windowMillis: configuration.presenceBatch.wholeMilliseconds)
        for frame in presence.takeDueCounts() where membership.rooms[frame.room] != nil {
            membership.recipients(membership.sessions(in: frame.room), liveIn: frame.room)
                .send(ServerFrameEncoder.encode(frame), ephemeral: true)
        }
    }

    /// After the broker connection recovered: re-announce at once and re-check every live room
    /// stream against the store, since this node's queue may have lost messages meanwhile.
    func brokerRecovered() async {
        metrics.brokerReconnects.increment()
        logger.notice("broker recovered: re-announcing presence and filling gaps from the store")
        await announcePresence()
        for (id, session) in membership.sessions {
            for room in Array(session.rooms.keys) where session.rooms[room]?.brokerRecovered() == true {
                gapRepairs.continuation.yield(GapRepair(session: id, room: room))
            }
        }
    }
}
