import CoreMetrics
import Logging
import NIOCore

extension Hub {
    /// Fans out one broker message to this node's sessions.
    func deliver(_ message: BrokerMessage) {
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
        guard let message = event.message else { return }
        if let room = event.room {
            guard let members = localRooms[room] else { return }
            let frame = ServerFrameEncoder.encode(MessageFrame(message, in: .room(room)))
            for ids in members.values {
                for id in ids {
                    switch sessions[id]?.rooms[room] {
                    case .joining(var buffered)?:
                        buffered.append((message.seq, frame))
                        sessions[id]?.rooms[room] = .joining(buffered: buffered)
                    case .repairing(let after, var buffered)?:
                        buffered.append((message.seq, frame))
                        sessions[id]?.rooms[room] = .repairing(after: after, buffered: buffered)
                    case .live(let lastSeq)? where message.seq == lastSeq + 1:
                        sessions[id]?.rooms[room] = .live(lastSeq: message.seq)
                        sessions[id]?.outbox.enqueue(frame)
                    case .live(let lastSeq)? where message.seq > lastSeq + 1:
                        // A gap: fetch the missing messages from the store before this one.
                        sessions[id]?.rooms[room] = .repairing(after: lastSeq, buffered: [(message.seq, frame)])
                        gapRepairs.continuation.yield(GapRepair(session: id, room: room))
                    default:
                        break
                    }
                }
            }
        } else if let recipient = event.deliverTo, let peer = event.peer {
            let conversation = Conversation.direct(between: recipient, and: peer)
            let frame = ServerFrameEncoder.encode(MessageFrame(message, in: conversation))
            for id in localUsers[recipient] ?? [] {
                guard let lastSeq = sessions[id]?.directLastSeq[conversation.key, default: 0],
                    message.seq > lastSeq
                else { continue }
                sessions[id]?.directLastSeq[conversation.key] = message.seq
                sessions[id]?.outbox.enqueue(frame)
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
            for ids in (localRooms[room] ?? [:]).values {
                for id in ids { sessions[id]?.outbox.enqueue(frame) }
            }
        } else if let recipient = event.deliverTo, let peer = event.peer {
            let frame = ServerFrameEncoder.encode(ReceiptFrame(room: nil, peer: peer, user: user, seq: seq))
            for id in localUsers[recipient] ?? [] { sessions[id]?.outbox.enqueue(frame) }
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
