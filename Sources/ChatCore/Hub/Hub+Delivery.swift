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
        membership.recipients(ids).send(frame, ephemeral: ephemeral)
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
        case .notice: deliverNotice(event)
        }
    }

    private func deliverMessage(_ event: BrokerEvent) {
        guard let seq = event.seq, let frame = event.frame else { return }
        if let room = event.room {
            flushPresence(in: room)
            let routing = membership.route(seq: seq, frame: frame, in: room)
            routing.recipients.send(frame)
            for id in routing.repairs {
                // A gap: the missing messages are read from the store before this one.
                gapRepairs.continuation.yield(GapRepair(session: id, room: room))
            }
            if let action = event.action, let target = event.target {
                enforce(action, on: target, in: room, by: event.user, until: event.until)
            }
        } else if let recipient = event.deliverTo, let peer = event.peer {
            let conversation = Conversation.direct(between: recipient, and: peer)
            membership.route(seq: seq, conversationKey: conversation.key, to: recipient).send(frame)
        }
    }

    private func deliverNotice(_ event: BrokerEvent) {
        // The publishing node gave its own sessions the frame already (no broker round trip).
        guard event.node != nodeID, let recipient = event.deliverTo, let frame = event.frame else { return }
        fanOut(frame, to: membership.sessions(of: recipient))
    }

    private func deliverPresence(_ event: BrokerEvent) {
        guard let room = event.room, let user = event.user, let change = event.presence else { return }
        emitPresence(presence.apply(change, room: room, user: user, node: event.node))
    }

    private func deliverTyping(_ event: BrokerEvent) {
        guard let user = event.user, let state = event.state else { return }
        let key = TypingTracker.Key(room: event.room, deliverTo: event.room == nil ? event.deliverTo : nil, user: user)
        guard key.room != nil || key.deliverTo != nil else { return }
        switch state {
        case .start:
            _ = typing.start(
                key, now: configuration.clock(), expiry: configuration.limits.typingExpiry.wholeMilliseconds)
            fanOutTyping(key, state: .start)
        case .stop:
            if typing.stop(key) { fanOutTyping(key, state: .stop) }
        }
    }

    private func deliverReceipt(_ event: BrokerEvent) {
        guard let user = event.user, let seq = event.seq else { return }
        if let room = event.room {
            flushPresence(in: room)
            let frame = ServerFrameEncoder.encode(ReceiptFrame(room: room, peer: nil, user: user, seq: seq))
            fanOut(frame, to: membership.sessions(in: room))
        } else if let recipient = event.deliverTo, let peer = event.peer {
            let frame = ServerFrameEncoder.encode(ReceiptFrame(room: nil, peer: peer, user: user, seq: seq))
            fanOut(frame, to: membership.sessions(of: recipient))
        }
    }

    private func trackOnline(_ event: BrokerEvent) {
        guard let user = event.user, let online = event.online else { return }
        presence.setOnline(user, on: event.node, online, lingering: event.lingering == true)
        tellWatchers()
    }
}
