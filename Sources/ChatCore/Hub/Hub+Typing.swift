extension Hub {
    func handleTyping(_ frame: TypingFrame, from id: SessionID, user: String) async throws {
        let conversation = try conversation(
            for: frame.target, user: user, ref: "typing", requireMembership: true, requireOnlinePeer: true, session: id)
        if frame.state == .start {
            // Clients send one start every ~3 s; faster ones add nothing but load, so they are
            // dropped here. Stops always pass.
            let now = configuration.clock()
            if let last = membership[id]?.lastTypingStart[conversation.key],
                now - last < configuration.limits.typingThrottle.wholeMilliseconds
            {
                return
            }
            membership[id]?.lastTypingStart[conversation.key] = now
        } else {
            membership[id]?.lastTypingStart[conversation.key] = nil
        }
        var event = BrokerEvent(kind: .typing, node: nodeID)
        event.user = user
        event.state = frame.state
        switch frame.target {
        case .room(let room):
            event.room = room
            await publishTransient(BrokerTopic.room(room, .typing), event)
        case .user(let peer):
            event.deliverTo = peer
            event.peer = user
            await publishTransient(BrokerTopic.user(peer, .typing), event)
        }
    }

    /// Shows `stop` for indicators that were not refreshed in time.
    func expireTyping() {
        guard !typing.isEmpty else { return }
        for key in typing.expire(now: configuration.clock()) {
            fanOutTyping(key, state: .stop)
        }
    }

    /// Sends a typing notice to the local sessions that should see it (never the typist's own).
    func fanOutTyping(_ key: TypingTracker.Key, state: TypingFrame.State) {
        let frame = ServerFrameEncoder.encode(
            TypingNoticeFrame(room: key.room, to: key.deliverTo, user: key.user, state: state))
        if let room = key.room {
            flushPresence(in: room)
            fanOut(frame, to: membership.sessions(in: room, excluding: key.user), ephemeral: true)
        } else if let recipient = key.deliverTo {
            fanOut(frame, to: membership.sessions(of: recipient), ephemeral: true)
        }
    }
}
