import CoreMetrics
import NIOCore

extension Hub {
    func validateRoom(_ room: String, ref: String) throws(ProtocolError) {
        guard ChatName.isValid(room, limits: configuration.limits) else {
            throw ProtocolError(
                .invalidRoom,
                ChatName.rule(for: "room", limits: configuration.limits),
                ref: ref
            )
        }
    }

    /// The store's rooms, when the store keeps them (every store of this version does).
    var roomStore: (any RoomStore)? { store as? any RoomStore }

    /// Asks the room store whether `user` may join `name` (creating an unknown public room) and
    /// returns the room's canonical spelling, which names the conversation, the broker topic and
    /// every frame, so `Lobby` and `lobby` are one room.
    ///
    /// - Throws: `banned`, `not_invited` (the store's refusal), or `unavailable`.
    func admitToRoom(_ name: String, user: String, deadline: Deadline) async throws -> String {
        guard let rooms = roomStore else { return name }
        let now = configuration.wallClock()
        do {
            let join: RoomJoin
            do {
                join = try await deadline.run("room join") { try await rooms.join(room: name, user: user, now: now) }
            } catch let refusal as RoomStoreError where refusal.code == .roomExists {
                // Two first joins of one new name raced (on this node or another) and the other
                // created it: join the room it made.
                join = try await deadline.run("room join") { try await rooms.join(room: name, user: user, now: now) }
            }
            // `send` checks mutes without the store from here on (`RoomMutes`).
            mutes.apply(join.mute, of: user, in: join.room.name)
            return join.room.name
        } catch let refusal as RoomStoreError {
            throw ProtocolError(refusal, ref: "join")
        } catch {
            throw ProtocolError(.unavailable, "room `\(name)` is unavailable right now; try again", ref: "join")
        }
    }

    /// Enters a room and answers `joined` with its backlog; the store calls run within
    /// `deadline` (from the frame's arrival), so a join never waits silently on the store.
    func handleJoin(_ join: JoinFrame, from id: SessionID, user: String, deadline: Deadline) async throws {
        try validateRoom(join.room, ref: "join")
        guard membership[id] != nil else { return }
        if let since = join.since, since < 0 {
            throw ProtocolError(.invalidField, "field `since` must be 0 or more", ref: "join")
        }
        let room = try await admitToRoom(join.room, user: user, deadline: deadline)
        guard let session = membership[id] else { return }
        guard session.rooms[room] == nil else {
            throw ProtocolError(.alreadyJoined, "already in room `\(room)`", ref: "join")
        }
        guard session.rooms.count < configuration.limits.maxRoomsPerSession else {
            throw ProtocolError(
                .tooManyRooms, "a session may be in at most \(configuration.limits.maxRoomsPerSession) rooms",
                ref: "join")
        }

        let unavailable = ProtocolError(.unavailable, "room `\(room)` is unavailable right now; try again", ref: "join")
        do {
            try await retainBinding(BrokerTopic.roomBinding(room))
        } catch {
            throw unavailable
        }
        // The session may have gone while the broker bound: the binding it took is its own to
        // give back (a disconnect releases only the rooms the session had entered).
        guard membership[id] != nil else {
            await releaseBinding(BrokerTopic.roomBinding(room))
            return
        }
        // From here on, live messages for the room are held in the session's stream. One that
        // arrived while the broker bound is in the backlog read below: it was stored before it
        // was published.
        let firstLocalSessionOfUser = membership.enter(room, user: user, session: id)
        // Back within the presence grace: the room never heard the user leave.
        grace.entered(room, user: user)
        let backlog: Backlog
        do {
            backlog = try await deadline.run("room backlog read") { [since = join.since] in
                try await self.loadBacklog(room: room, since: since)
            }
        } catch {
            if let exit = membership.exit(room, user: user, session: id) { await roomExited(exit, user: user) }
            throw unavailable
        }
        if firstLocalSessionOfUser {
            await publishRoomPresence(.join, room: room, user: user)
        }

        // The session may have left or disconnected while the backlog loaded.
        guard let session = membership[id], session.rooms[room]?.isJoining == true else { return }
        // A registered user's read position, for every device (guests have none worth a read),
        // and who has read how far, so a reload still shows read receipts.
        var readSeq: Int64?
        var reads: [String: Int64]?
        if backlog.state.lastSeq > 0 {
            let store = self.store
            let limit = Self.maxListedReaders + 1
            reads = try? await deadline.run("read positions") {
                try await store.readPositions(in: .room(room), limit: limit)
            }
            readSeq = session.registered ? reads.map { $0[user] ?? 0 } : nil
            if session.registered, reads?.count == limit, reads?[user] == nil {
                readSeq = try? await deadline.run("read position") {
                    try await store.readPosition(of: user, in: .room(room))
                }
            }
            guard membership[id]?.rooms[room]?.isJoining == true else { return }
        } else if session.registered {
            readSeq = 0
        }
        let limits = configuration.limits
        let roster = presence.roster
        // The joiner's own presence event may still be on its way through the broker.
        let everyone = roster.onlineCount(of: room) + (roster.contains(user, in: room) ? 0 : 1)
        // A large room's members are not tracked by the client (counts replace join/leave), so
        // it gets a sample rather than an O(members) list on every join.
        let large = everyone > limits.presenceDetailLimit
        var members = Set(roster.members(of: room, limit: large ? limits.joinedMembersSample : everyone))
        members.insert(user)
        var joined = JoinedFrame(
            room: room, epoch: backlog.state.epoch, members: members.sorted(), online: everyone,
            lastSeq: max(backlog.state.lastSeq, backlog.lastDelivered), messages: backlog.messages,
            recovered: backlog.recovered, reason: backlog.reason
        )
        joined.readSeq = readSeq
        if let reads {
            joined.reads = reads.sorted { $0.key < $1.key }.prefix(Self.maxListedReaders).map {
                JoinedFrame.Reader(user: $0.key, seq: $0.value)
            }
            joined.readsComplete = reads.count <= Self.maxListedReaders
        }
        send(joined, to: id)
        guard let release = session.rooms[room]?.joined(lastDelivered: backlog.lastDelivered) else { return }
        for frame in release.frames { session.sink.send(frame) }
        if release.needsRepair {
            // Something between the backlog and the live stream is missing: fill it from the
            // store before going live.
            gapRepairs.continuation.yield(GapRepair(session: id, room: room))
        }
    }

    /// Most readers a `joined` lists (`readsComplete: false` beyond): rooms up to this size
    /// show who read a message, larger ones a count of the listed.
    static let maxListedReaders = 50

    struct Backlog {
        var state: ConversationState
        var messages: [MessageFrame]
        var lastDelivered: Int64
        var recovered: Bool?
        var reason: String?
    }

    /// The messages a joining client gets: exactly those after `since`, or the recent ones.
    func loadBacklog(room: String, since: Int64?) async throws -> Backlog {
        guard let since else { return try await recentBacklog(room: room) }
        let conversation = Conversation.room(room)
        let state = try await store.state(of: conversation)
        let limits = configuration.limits

        func recent(reason: String?) async throws -> Backlog {
            let newestFirst = try await store.messages(in: conversation, before: nil, limit: limits.joinRecentCount)
            let frames = newestFirst.reversed().map { MessageFrame($0, in: conversation) }
            return Backlog(
                state: state, messages: frames, lastDelivered: frames.last?.seq ?? state.lastSeq,
                recovered: false, reason: reason)
        }

        if since > state.lastSeq {
            return try await recent(reason: "since_ahead_of_history")
        }
        if since + 1 < state.firstAvailableSeq {
            return try await recent(reason: "history_pruned")
        }
        if state.lastSeq - since > Int64(limits.maxBacklog) {
            return try await recent(reason: "too_many_missed")
        }
        var frames: [MessageFrame] = []
        var cursor = since
        while cursor < state.lastSeq {
            let page = try await store.messages(
                in: conversation, after: cursor, limit: min(limits.maxHistoryPage, Int(state.lastSeq - cursor)))
            guard let last = page.last else { break }
            // Pruned between the state read and this one: the start is gone, say so.
            guard page.first?.seq == cursor + 1 else { return try await recent(reason: "history_pruned") }
            frames.append(contentsOf: page.map { MessageFrame($0, in: conversation) })
            cursor = last.seq
        }
        guard cursor >= state.lastSeq else {
            return try await recent(reason: "history_incomplete")
        }
        return Backlog(state: state, messages: frames, lastDelivered: cursor, recovered: true, reason: nil)
    }

    /// The recent messages of a room, for a `join` without `since`: one store read serves every
    /// join of the room that asked while the previous read ran (`ReadCoalescer`).
    func recentBacklog(room: String) async throws -> Backlog {
        try await withCheckedThrowingContinuation { (waiter: CheckedContinuation<Backlog, any Error>) in
            if recentReads.request(room, waiter) { startRecentRead(room) }
        }
    }

    /// Joins waiting for a read of recent messages (tests watch a burst pile up).
    var joinsWaitingForBacklog: Int { recentReads.waiting }

    private func startRecentRead(_ room: String) {
        let store = self.store
        let count = configuration.limits.joinRecentCount
        // Bounded on its own: joins of the room that arrive meanwhile wait for this read, so one
        // that never returns (a store partition) must still end, or the room's joins never would.
        let deadline = Deadline(in: configuration.limits.sendTimeout)
        Task {
            let result: Result<Backlog, any Error>
            do {
                let conversation = Conversation.room(room)
                let state = try await deadline.run("store read") { try await store.state(of: conversation) }
                let newestFirst = try await deadline.run("store read") {
                    try await store.messages(in: conversation, before: nil, limit: count)
                }
                let frames = newestFirst.reversed().map { MessageFrame($0, in: conversation) }
                result = .success(
                    Backlog(
                        state: state, messages: frames, lastDelivered: frames.last?.seq ?? state.lastSeq,
                        recovered: nil,
                        reason: nil))
            } catch {
                result = .failure(error)
            }
            self.finishRecentRead(room, result)
        }
    }

    private func finishRecentRead(_ room: String, _ result: Result<Backlog, any Error>) {
        let (served, startNext) = recentReads.completed(room)
        metrics.joinBacklogReads.increment()
        for waiter in served { waiter.resume(with: result) }
        if startNext { startRecentRead(room) }
    }

    func handleLeave(_ leave: LeaveFrame, from id: SessionID, user: String) async throws {
        try validateRoom(leave.room, ref: "leave")
        // The session's rooms are keyed by their canonical spelling; `leave` may use any case.
        let key = Room.key(for: leave.room)
        guard let room = membership[id]?.rooms.keys.first(where: { Room.key(for: $0) == key }),
            let exit = membership.exit(room, user: user, session: id)
        else {
            throw ProtocolError(.notMember, "not in room `\(leave.room)`", ref: "leave")
        }
        await roomExited(exit, user: user)
        // An explicit leave ends the stored membership (a closed socket does not: rooms follow
        // the user). A store that cannot be reached leaves it stored; the session has left.
        _ = try? await roomStore?.leave(room: room, user: user)
        send(LeftFrame(room: room), to: id)
    }

    /// After a session left a room: publishes `leave` presence when it was the user's last
    /// session in the room here, and releases the session's interest in the room's binding.
    func roomExited(_ exit: LocalMembership.RoomExit, user: String) async {
        if exit.userLeft {
            await publishRoomPresence(.leave, room: exit.room, user: user)
        }
        await releaseBinding(BrokerTopic.roomBinding(exit.room))
    }
}
