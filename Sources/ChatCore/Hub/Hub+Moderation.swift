import Foundation
import Logging
import NIOCore

/// Rooms as stored objects on the socket: creating and configuring rooms, moderating members,
/// and a user's block list (PROTOCOL.md, "Rooms and moderation").
///
/// The room store decides every permission (`RoomStore`, `RoomPolicy`); the hub validates the
/// frame, asks the store within the request's deadline, records what changed in the room's
/// `seq` stream (`recordRoomEvent`), and enforces the change on every node when the event is
/// delivered (`enforce`).
extension Hub {
    /// Longest `reason` of a kick, ban or mute, and longest `topic`, in Unicode scalars.
    static let maxNoteScalars = 200
    /// Most members a `room` frame lists (`membersComplete: false` beyond).
    static let maxListedMembers = 500

    // MARK: room_create, room_update, room_info

    func handleRoomCreate(_ frame: RoomSettingsFrame, from id: SessionID, user: String, deadline: Deadline) async throws
    {
        try validateRoom(frame.room, ref: "room_create")
        try validateNote(frame.topic, field: "topic", ref: "room_create")
        let rooms = try requireRoomStore(ref: "room_create")
        let now = configuration.wallClock()
        let room = Room(
            name: frame.room, topic: frame.topic ?? "", visibility: frame.visibility ?? .public, creator: user,
            createdAt: now)
        let (created, role) = try await roomCall("room create", ref: "room_create", deadline: deadline) {
            let created = try await rooms.createRoom(room)
            return (created, try await rooms.role(of: user, in: created.name))
        }
        send(RoomFrame(created, role: role, ref: "room_create"), to: id)
    }

    func handleRoomUpdate(_ frame: RoomSettingsFrame, from id: SessionID, user: String, deadline: Deadline) async throws
    {
        try validateRoom(frame.room, ref: "room_update")
        try validateNote(frame.topic, field: "topic", ref: "room_update")
        guard frame.topic != nil || frame.visibility != nil || frame.retentionDays != nil else {
            throw ProtocolError(
                .invalidField, "give `topic`, `visibility`, `retentionDays` or several", ref: "room_update")
        }
        if let days = frame.retentionDays, !(0...RetentionPolicy.maxDays).contains(days) {
            throw ProtocolError(
                .invalidField, "`retentionDays` must be 0 (keep everything) to \(RetentionPolicy.maxDays)",
                ref: "room_update")
        }
        let rooms = try requireRoomStore(ref: "room_update")
        let retention = store as? any MessageRetention
        if frame.retentionDays != nil, retention == nil {
            throw ProtocolError(
                .unsupportedFrame, "this server's store keeps no retention settings", ref: "room_update")
        }
        let now = configuration.wallClock()
        let (before, after, role, days) = try await roomCall("room update", ref: "room_update", deadline: deadline) {
            guard let before = try await rooms.room(named: frame.room) else { throw Self.noSuchRoom(frame.room) }
            // Retention first: it is the one change a room's owner may not make (admins only).
            if let days = frame.retentionDays {
                try await retention?.setRoomRetention(days, of: before.name, by: .user(user), now: now)
            }
            let after =
                frame.topic == nil && frame.visibility == nil
                ? before
                : try await rooms.updateRoom(
                    named: before.name, topic: frame.topic, visibility: frame.visibility, by: .user(user), now: now)
            return (
                before, after, try await rooms.role(of: user, in: after.name),
                try await retention?.roomRetention(of: after.name)
            )
        }
        if after.topic != before.topic {
            try await recordRoomEvent(
                RoomEvent(.topic, topic: after.topic), in: after.name, by: user, deadline: deadline, ref: "room_update")
        }
        if after.visibility != before.visibility {
            try await recordRoomEvent(
                RoomEvent(.visibility, visibility: after.visibility), in: after.name, by: user, deadline: deadline,
                ref: "room_update")
        }
        var answer = RoomFrame(after, role: role, ref: "room_update")
        answer.retentionDays = days
        send(answer, to: id)
    }

    func handleRoomInfo(_ frame: RoomInfoFrame, from id: SessionID, user: String, deadline: Deadline) async throws {
        try validateRoom(frame.room, ref: "room_info")
        let admin = membership[id]?.admin == true
        let rooms = try requireRoomStore(ref: "room_info")
        let retention = store as? any MessageRetention
        let now = configuration.wallClock()
        let answer = try await roomCall("room read", ref: "room_info", deadline: deadline) {
            // The same check as `history`: private and invite-only rooms show their members to
            // members and admins only.
            guard let room = try await rooms.authorizeRead(user: user, room: frame.room, now: now) else {
                throw Self.noSuchRoom(frame.room)
            }
            let members = try await rooms.members(of: room.name)
            let role = members.first { Account.key(for: $0.user) == Account.key(for: user) }?.role
            var answer = RoomFrame(room, role: role, ref: "room_info")
            answer.members = members.prefix(Self.maxListedMembers).map {
                RoomFrame.Member(user: $0.user, role: $0.role)
            }
            answer.membersComplete = members.count <= Self.maxListedMembers
            answer.retentionDays = try await retention?.roomRetention(of: room.name)
            if admin || (role.map { $0 >= .moderator } ?? false) {
                answer.bans = try await rooms.bans(in: room.name, now: now).map {
                    RoomFrame.Ban(user: $0.user, until: $0.until, reason: $0.reason, by: $0.bannedBy)
                }
                answer.mutes = try await rooms.mutes(in: room.name, now: now).map {
                    RoomFrame.Mute(user: $0.user, until: $0.until, by: $0.mutedBy)
                }
                answer.log = try await rooms.moderationLog(of: room.name, limit: Self.maxListedLogEntries).map(
                    RoomFrame.LogEntry.init)
            }
            return answer
        }
        send(answer, to: id)
    }

    // MARK: invite, kick, ban, unban, mute, unmute, set_role

    func handleModeration(_ frame: ModerationFrame, from id: SessionID, user: String, deadline: Deadline) async throws {
        let ref = frame.action.rawValue
        try validateRoom(frame.room, ref: ref)
        guard ChatName.isValid(frame.user, limits: configuration.limits) else {
            throw ProtocolError(.invalidName, ChatName.rule(for: "user name", limits: configuration.limits), ref: ref)
        }
        try validateNote(frame.reason, field: "reason", ref: ref)
        let now = configuration.wallClock()
        if let until = frame.until, until <= now {
            throw ProtocolError(
                .invalidField, "field `until` must be in the future (ms since 1970; now is \(now))", ref: ref)
        }
        if frame.action == .setRole, frame.role == nil {
            throw ProtocolError(.invalidField, "missing field `role` (owner, moderator or member)", ref: ref)
        }
        let rooms = try requireRoomStore(ref: ref)
        let actor = RoomActor.user(user)
        let target = frame.user
        // What the change is called in the room's stream and in the answer; nil: nothing changed
        // (an unban of someone not banned), so nothing is announced.
        let (room, event, change) = try await roomCall("room moderation", ref: ref, deadline: deadline) {
            () async throws -> (Room, RoomEvent?, String) in
            guard let room = try await rooms.room(named: frame.room) else { throw Self.noSuchRoom(frame.room) }
            let name = room.name
            switch frame.action {
            case .invite:
                try await rooms.invite(target, to: name, by: actor, now: now)
                return (room, RoomEvent(.invite, user: target), "invited")
            case .kick:
                try await rooms.kick(target, from: name, reason: frame.reason ?? "", by: actor, now: now)
                return (room, RoomEvent(.kick, user: target, reason: frame.reason), "kicked")
            case .ban:
                try await rooms.ban(
                    target, from: name, until: frame.until, reason: frame.reason ?? "", by: actor, now: now)
                return (room, RoomEvent(.ban, user: target, reason: frame.reason, until: frame.until), "banned")
            case .unban:
                let lifted = try await rooms.unban(target, in: name, by: actor, now: now)
                return (room, lifted ? RoomEvent(.unban, user: target) : nil, "unbanned")
            case .mute:
                try await rooms.mute(target, in: name, until: frame.until, by: actor, now: now)
                return (room, RoomEvent(.mute, user: target, reason: frame.reason, until: frame.until), "muted")
            case .unmute:
                let lifted = try await rooms.unmute(target, in: name, by: actor, now: now)
                return (room, lifted ? RoomEvent(.unmute, user: target) : nil, "unmuted")
            case .setRole:
                let role = frame.role ?? .member
                try await rooms.setRole(role, of: target, in: name, by: actor, now: now)
                return (room, RoomEvent(.role, user: target, role: role), "role")
            }
        }
        if let event {
            try await recordRoomEvent(event, in: room.name, by: user, deadline: deadline, ref: ref)
        }
        if frame.action == .invite {
            // Every session of the invitee, on every node, learns the room's name.
            await notify(target, ServerFrameEncoder.encode(InvitedFrame(room: room.name, by: user)))
        }
        send(
            MemberFrame(
                room: room.name, user: target, change: change, role: frame.action == .setRole ? frame.role : nil,
                until: frame.until, reason: frame.reason, by: user),
            to: id)
    }

    // MARK: block, unblock

    func handleBlock(
        _ frame: BlockFrame, blocking: Bool, from id: SessionID, user: String, deadline: Deadline
    )
        async throws
    {
        let ref = blocking ? "block" : "unblock"
        guard ChatName.isValid(frame.user, limits: configuration.limits) else {
            throw ProtocolError(.invalidName, ChatName.rule(for: "user name", limits: configuration.limits), ref: ref)
        }
        guard membership[id]?.registered == true else {
            throw ProtocolError(.forbidden, "sign in to keep a block list", ref: ref)
        }
        guard Account.key(for: frame.user) != Account.key(for: user) else {
            throw ProtocolError(.invalidField, "you cannot block yourself", ref: ref)
        }
        let rooms = try requireRoomStore(ref: ref)
        let now = configuration.wallClock()
        let list = try await roomCall("block list", ref: ref, deadline: deadline) {
            if blocking {
                try await rooms.block(frame.user, by: user, now: now)
            } else {
                _ = try await rooms.unblock(frame.user, by: user)
            }
            return try await rooms.blockedUsers(of: user)
        }
        // Every session of the user hides the same senders: this node's at once, the others'
        // through the broker.
        await notify(user, ServerFrameEncoder.encode(BlocksFrame(users: list)))
    }

    /// Sends `frame` to every session of `user`: this node's at once, other nodes' through the
    /// broker (`BrokerEvent.Kind.notice`; a node ignores its own).
    func notify(_ user: String, _ frame: ByteBuffer, except skipped: SessionID? = nil) async {
        fanOut(frame, to: membership.sessions(of: user).filter { $0 != skipped })
        var notice = BrokerEvent(kind: .notice, node: nodeID)
        notice.deliverTo = user
        notice.frame = frame
        await publishTransient(BrokerTopic.user(user, .notice), notice)
    }

    /// Whether `recipient` blocked `sender`: their DMs are refused with `blocked`.
    func refuseIfBlocked(_ sender: String, by recipient: String, cid: String, deadline: Deadline) async throws {
        guard let rooms = roomStore else { return }
        let blocked: Bool
        do {
            blocked = try await deadline.run("block check") { try await rooms.hasBlocked(recipient, sender) }
        } catch {
            throw ProtocolError(.unavailable, Self.storeUnavailable(error), cid: cid, ref: "send")
        }
        if blocked {
            throw ProtocolError(.blocked, "`\(recipient)` does not accept your messages", cid: cid, ref: "send")
        }
    }

    // MARK: The room's seq stream

    /// Stores `event` as a message of the room's `seq` stream and publishes it like a message, so
    /// every member sees it in order, a resuming client gets it exactly once, and every node
    /// enforces it when it arrives (`enforce`).
    ///
    /// - Throws: `unavailable` when the store or the broker did not take it in time. The change
    ///   itself is made by then: repeating the frame announces it.
    func recordRoomEvent(
        _ event: RoomEvent, in room: String, by actor: String, deadline: Deadline, ref: String
    )
        async throws
    {
        let conversation = Conversation.room(room)
        let draft = MessageDraft(
            conversation: conversation, from: actor, text: event.text(by: actor),
            clientID: "event-\(UUID().uuidString.lowercased())", timestamp: configuration.wallClock(), event: event)
        let store = self.store
        do {
            _ = try await withLane(conversation.key) {
                guard !deadline.hasPassed else {
                    throw DeadlineExceeded(operation: "waiting for the room's earlier sends", budget: deadline.budget)
                }
                let result = try await deadline.run("store append") { try await store.append(draft) }
                try await self.publishMessage(result.message, in: conversation, deadline: deadline)
                return result
            }
        } catch {
            logger.warning("room event not recorded", metadata: ["room": "\(room)", "error": "\(error)"])
            throw ProtocolError(
                .unavailable,
                "the change is made but could not be announced to the room (\(Self.storeUnavailable(error))); repeat it",
                ref: ref)
        }
    }

    /// Applies a room event this node received to its own sessions: a kick or ban ends the
    /// target's sessions' membership right after they got the event; a mute or unmute changes
    /// what `send` accepts.
    func enforce(_ action: RoomEvent.Action, on target: String, in room: String, by actor: String?, until: Int64?) {
        switch action {
        case .mute:
            mutes.mute(target, in: room, until: until)
        case .unmute:
            mutes.unmute(target, in: room)
        case .kick, .ban:
            let key = Account.key(for: target)
            for (user, ids) in membership.usersAndSessions(in: room) where Account.key(for: user) == key {
                for id in ids {
                    guard let exit = membership.exit(room, user: user, session: id) else { continue }
                    send(LeftFrame(room: room, reason: action == .ban ? "banned" : "kicked", by: actor), to: id)
                    Task { await self.roomExited(exit, user: user) }
                }
            }
            // A target whose sessions here ended within the presence grace leaves now too.
            Task { await self.endLingering(in: room, accountKey: key) }
        case .topic, .visibility, .invite, .unban, .role:
            break
        }
    }

    // MARK: Helpers

    /// Most moderation log entries `room_info` lists (the newest).
    static let maxListedLogEntries = 50

    /// The room store, which every store of this version is.
    func requireRoomStore(ref: String) throws(ProtocolError) -> any RoomStore {
        guard let rooms = roomStore else {
            throw ProtocolError(.unavailable, "this server's store keeps no rooms", ref: ref)
        }
        return rooms
    }

    /// Runs room store calls within `deadline`, turning the store's refusals into their error
    /// codes and anything else into `unavailable`.
    func roomCall<T: Sendable>(
        _ operation: String, ref: String, deadline: Deadline, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        do {
            return try await deadline.run(operation, body)
        } catch let refusal as RoomStoreError {
            throw ProtocolError(refusal, ref: ref)
        } catch {
            logger.warning("room store call failed", metadata: ["operation": "\(operation)", "error": "\(error)"])
            throw ProtocolError(.unavailable, Self.storeUnavailable(error), ref: ref)
        }
    }

    /// A topic or reason: at most `maxNoteScalars`, without NUL (PostgreSQL text cannot hold it).
    func validateNote(_ note: String?, field: String, ref: String) throws(ProtocolError) {
        guard let note else { return }
        let scalars = note.unicodeScalars
        guard scalars.count <= Self.maxNoteScalars, !scalars.contains("\u{0}") else {
            throw ProtocolError(
                .invalidField, "field `\(field)` must be at most \(Self.maxNoteScalars) characters, without NUL",
                ref: ref)
        }
    }

    static func noSuchRoom(_ name: String) -> RoomStoreError {
        RoomStoreError(.noSuchRoom, "no room `\(name)`")
    }
}
