import CoreMetrics
import Logging
import NIOCore

extension Hub {
    /// Sends one encoded frame to each of `ids`: the fan-out every broadcast goes through.
    ///
    /// - Parameters:
    ///   - frame: the frame's JSON, encoded once.
    ///   - ids: the local recipients.
    ///   - ephemeral: whether slow clients may drop it (typing, presence).
    func fanOut(_ frame: ByteBuffer, to ids: some Sequence<SessionID>, ephemeral: Bool = false) {
        var fanOut = FanOut()
        for id in ids {
            if let sink = sessions[id]?.sink { fanOut.add(sink) }
        }
        fanOut.send(frame, ephemeral: ephemeral)
    }

    /// Fans out one broker message to this node's sessions.
    func deliver(_ message: BrokerMessage) {
        // Another node's liveness probe (`isRouted`): reaching this queue was its whole purpose.
        if message.topic == BrokerTopic.nodeAlive(nodeID) { return }
        let start = ContinuousClock.now
        defer { metrics.fanOutLatency.recordInterval(since: start) }
        let event: BrokerEvent
        do {
            event = try BrokerEvent.decode(message.payload)
        } catch {
            logger.warning("dropping undecodable broker message", metadata: ["topic": "\(message.topic)"])
            return
        }
        switch event.kind {
        case .message: deliverMessage(event)
        case .presence: deliverPresence(event)
        case .typing: deliverTyping(event)
        case .receipt: deliverReceipt(event)
        case .online: trackOnline(event)
        case .announce: applyAnnouncement(event)
        }
    }

    private func deliverMessage(_ event: BrokerEvent) {
        guard let seq = event.seq, let frame = event.frame else { return }
        if let room = event.room {
            guard let members = localRooms[room] else { return }
            var fanOut = FanOut()
            defer { fanOut.send(frame) }
            for ids in members.values {
                for id in ids {
                    switch sessions[id]?.rooms[room] {
                    case .joining(var buffered)?:
                        buffered.append((seq, frame))
                        sessions[id]?.rooms[room] = .joining(buffered: buffered)
                    case .repairing(let after, var buffered)?:
                        buffered.append((seq, frame))
                        sessions[id]?.rooms[room] = .repairing(after: after, buffered: buffered)
                    case .live(let lastSeq)? where seq == lastSeq + 1:
                        sessions[id]?.rooms[room] = .live(lastSeq: seq)
                        if let sink = sessions[id]?.sink { fanOut.add(sink) }
                    case .live(let lastSeq)? where seq > lastSeq + 1:
                        // A gap: fetch the missing messages from the store before this one.
                        sessions[id]?.rooms[room] = .repairing(after: lastSeq, buffered: [(seq, frame)])
                        gapRepairs.continuation.yield(GapRepair(session: id, room: room))
                    default:
                        break
                    }
                }
            }
        } else if let recipient = event.deliverTo, let peer = event.peer {
            let conversation = Conversation.direct(between: recipient, and: peer)
            var fanOut = FanOut()
            defer { fanOut.send(frame) }
            for id in localUsers[recipient] ?? [] {
                guard let lastSeq = sessions[id]?.directLastSeq[conversation.key, default: 0],
                    seq > lastSeq
                else { continue }
                sessions[id]?.directLastSeq[conversation.key] = seq
                if let sink = sessions[id]?.sink { fanOut.add(sink) }
            }
        }
    }

    private func deliverPresence(_ event: BrokerEvent) {
        guard let room = event.room, let user = event.user, let change = event.presence else { return }
        let changed =
            switch change {
            case .join: roster.join(room: room, user: user, node: event.node)
            case .leave: roster.leave(room: room, user: user, node: event.node)
            case .count: false  // never published: counts are derived by each node
            }
        if changed { emitPresence([RoomRoster.Transition(room: room, user: user, event: change)]) }
    }

    private func deliverTyping(_ event: BrokerEvent) {
        guard let user = event.user, let state = event.state else { return }
        let key = TypingTracker.Key(room: event.room, deliverTo: event.room == nil ? event.deliverTo : nil, user: user)
        guard key.room != nil || key.deliverTo != nil else { return }
        switch state {
        case .start:
            _ = typing.start(key, now: ChatClock.monotonicMillis(), expiry: configuration.limits.typingExpiryMillis)
            fanOutTyping(key, state: .start)
        case .stop:
            if typing.stop(key) { fanOutTyping(key, state: .stop) }
        }
    }

    private func deliverReceipt(_ event: BrokerEvent) {
        guard let user = event.user, let seq = event.seq else { return }
        if let room = event.room {
            let frame = ServerFrameEncoder.encode(ReceiptFrame(room: room, peer: nil, user: user, seq: seq))
            fanOut(frame, to: (localRooms[room] ?? [:]).values.joined())
        } else if let recipient = event.deliverTo, let peer = event.peer {
            let frame = ServerFrameEncoder.encode(ReceiptFrame(room: nil, peer: peer, user: user, seq: seq))
            fanOut(frame, to: localUsers[recipient] ?? [])
        }
    }

    private func trackOnline(_ event: BrokerEvent) {
        guard let user = event.user, let online = event.online else { return }
        if online {
            onlineNodes[user, default: []].insert(event.node)
        } else {
            onlineNodes[user]?.remove(event.node)
            if onlineNodes[user]?.isEmpty ?? false { onlineNodes[user] = nil }
        }
    }
}
