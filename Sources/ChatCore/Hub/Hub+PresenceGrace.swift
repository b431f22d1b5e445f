/// The presence grace period: what a session's end posts, and when (`PresenceGrace`).
extension Hub {
    /// After a session ended: its user leaves the rooms it was the user's last session in here,
    /// and goes offline here if it was the last one. With a grace period and no `bye`, both
    /// wait; the room bindings and the user's binding are given back at once either way (no
    /// session here needs the messages).
    func departed(_ departure: LocalMembership.Departure, user: String) async {
        let graceMillis = configuration.presenceGrace.wholeMilliseconds
        guard graceMillis > 0, !departure.session.saidBye else {
            for exit in departure.rooms {
                await roomExited(exit, user: user)
            }
            if departure.userWentOffline {
                inbound.forget(user: user)
                await publishOnline(user, false)
                await releaseBinding(BrokerTopic.userBinding(user))
            }
            return
        }
        let waits = grace.depart(
            user, rooms: departure.rooms.filter(\.userLeft).map(\.room), wentOffline: departure.userWentOffline,
            deadline: configuration.clock() + graceMillis)
        for exit in departure.rooms {
            await releaseBinding(BrokerTopic.roomBinding(exit.room))
        }
        if departure.userWentOffline {
            inbound.forget(user: user)
            // Still online, but only lingering: another node may hand a guest's nick on.
            await publishOnline(user, true, lingering: true)
            // A session of the user said hello while that publish waited (the actor is
            // reentrant): its `online` may have gone first, so say it again, last.
            if membership.isLocal(user) { await publishOnline(user, true) }
            await releaseBinding(BrokerTopic.userBinding(user))
        }
        if waits {
            let wait = configuration.presenceGrace
            Task {
                try? await Task.sleep(for: wait)
                await self.expireDepartures()
            }
        }
    }

    /// Posts the departures whose grace ran out: `leave` for a room the user has no session in
    /// here, `online: false` for a user with no session here.
    func expireDepartures() async {
        let expiry = grace.expire(nowMillis: configuration.clock())
        for leave in expiry.leaves where membership.usersAndSessions(in: leave.room)[leave.user] == nil {
            await publishRoomPresence(.leave, room: leave.room, user: leave.user)
        }
        for user in expiry.offline where !membership.isLocal(user) {
            await publishOnline(user, false)
        }
    }

    /// Ends at once the lingering memberships of `room` whose user has the account key
    /// `targetKey` (a kick or a ban gets no grace).
    func endLingering(in room: String, accountKey targetKey: String) async {
        for user in grace.cancel(in: room, where: { Account.key(for: $0) == targetKey }) {
            await publishRoomPresence(.leave, room: room, user: user)
        }
    }

    /// Publishes that `user`'s first session here entered `room`, or its last one left.
    func publishRoomPresence(_ change: PresenceFrame.Event, room: String, user: String) async {
        var event = BrokerEvent(kind: .presence, node: nodeID)
        event.room = room
        event.user = user
        event.presence = change
        await publishTransient(BrokerTopic.room(room, .presence), event)
    }

    /// Publishes that `user` came online here, went offline, or lingers (online by grace only).
    func publishOnline(_ user: String, _ online: Bool, lingering: Bool = false) async {
        var event = BrokerEvent(kind: .online, node: nodeID)
        event.user = user
        event.online = online
        event.lingering = lingering ? true : nil
        await publishTransient(BrokerTopic.clusterOnline, event)
    }
}
