import CoreMetrics
import Logging
import NIOCore

extension Hub {
    /// Resolves a frame's target to a conversation the user may use, refusing what is forbidden.
    func conversation(
        for target: ConversationTarget, user: String, ref: String, cid: String? = nil, requireMembership: Bool,
        requireOnlinePeer: Bool, session id: SessionID
    ) throws(ProtocolError) -> Conversation {
        switch target {
        case .room(let room):
            guard ChatName.isValid(room, limits: configuration.limits) else {
                throw ProtocolError(
                    .invalidRoom,
                    ChatName.rule(for: "room", limits: configuration.limits),
                    cid: cid, ref: ref)
            }
            // The session's rooms are keyed by their canonical spelling (`Hub.admitToRoom`); a
            // frame may name the room in any case. Sessions hold few rooms, so the scan is short.
            let rooms = membership[id]?.rooms
            let joined =
                rooms?[room] != nil
                ? room : rooms?.keys.first { Room.key(for: $0) == Room.key(for: room) }
            if requireMembership, joined == nil {
                throw ProtocolError(.notMember, "join room `\(room)` first", cid: cid, ref: ref)
            }
            return .room(joined ?? room)
        case .user(let peer):
            guard ChatName.isValid(peer, limits: configuration.limits) else {
                throw ProtocolError(
                    .invalidName,
                    ChatName.rule(for: "user name", limits: configuration.limits),
                    cid: cid, ref: ref)
            }
            if requireOnlinePeer, !isOnline(peer) {
                throw ProtocolError(.userOffline, "`\(peer)` is not online", cid: cid, ref: ref)
            }
            return .direct(between: user, and: peer)
        }
    }

    func isOnline(_ user: String) -> Bool {
        membership.isLocal(user) || presence.isOnline(user)
    }

    // MARK: send

    /// Stores and publishes a message, then acknowledges it; every store and broker call runs
    /// within `deadline` (from the frame's arrival), so the sender always hears `ack` or `error`.
    func handleSend(_ frame: SendFrame, from id: SessionID, user: String, deadline: Deadline) async throws {
        let cid = frame.cid
        guard !cid.isEmpty, cid.utf8.count <= 64, !cid.utf8.contains(0) else {
            throw ProtocolError(.invalidField, "field `cid` must be 1 to 64 bytes, without NUL", cid: cid, ref: "send")
        }
        // A message of attachments only may have no text.
        if !frame.text.isEmpty || (frame.attachments ?? []).isEmpty {
            try validateText(frame.text, cid: cid, ref: "send")
        }
        if let replyTo = frame.replyTo, replyTo < 1 {
            throw ProtocolError(.invalidField, "field `replyTo` must be 1 or more", cid: cid, ref: "send")
        }
        // One deadline for the whole send, counted from the frame's arrival on the socket: every
        // store and broker call below runs with what is left of it, so the client hears `ack` or
        // `error` within `sendTimeout` of sending whatever PostgreSQL or RabbitMQ does, even when
        // the send waited behind this session's earlier frames. One whose time ran out while it
        // waited is refused before it touches the store or the broker.
        guard !deadline.hasPassed else {
            throw ProtocolError(
                .unavailable,
                "the send waited behind this session's earlier frames past the send timeout; retry with the same cid",
                cid: cid, ref: "send")
        }
        // A registered peer gets DMs while offline: they are stored and counted as unread.
        let offlineDelivery = try await acceptsOfflineDelivery(frame.target, cid: cid, deadline: deadline)
        let conversation = try conversation(
            for: frame.target, user: user, ref: "send", cid: cid, requireMembership: true,
            requireOnlinePeer: !offlineDelivery, session: id)
        switch conversation {
        case .room(let room):
            // Mutes are known to every node with the room's members (`RoomMutes`): no store call.
            if !mutes.isEmpty,
                case .some(let end) = mutes.activeMute(of: user, in: room, now: configuration.wallClock())
            {
                throw ProtocolError(RoomStoreError.muted(in: room, until: end), cid: cid, ref: "send")
            }
        case .direct:
            if let peer = conversation.peer(of: user), peer != user {
                try await refuseIfBlocked(user, by: peer, cid: cid, deadline: deadline)
            }
        }

        var draft = MessageDraft(
            conversation: conversation, from: user, text: frame.text, clientID: cid,
            timestamp: configuration.wallClock(),
            replyTo: frame.replyTo)
        draft.mentions = await resolveMentions(in: frame.text, conversation: conversation, deadline: deadline)
        draft.attachments = try await resolveAttachments(frame.attachments, of: user, cid: cid, deadline: deadline)
        let result = try await storeAndPublish(draft, session: id, ref: "send", deadline: deadline)
        acknowledge(result, of: frame.target, cid: cid, to: id)
    }

    /// Answers a stored entry's `ack`, naming the conversation as the client named it.
    func acknowledge(_ result: AppendResult, of target: ConversationTarget, cid: String, to id: SessionID) {
        let message = result.message
        let (room, peer): (String?, String?) =
            switch target {
            case .room(let room): (room, nil)
            case .user(let peer): (nil, peer)
            }
        send(
            AckFrame(
                cid: cid, id: message.id, seq: message.seq, ts: message.timestamp, room: room, to: peer,
                duplicate: result.duplicate),
            to: id)
    }

    /// Appends `draft` and publishes what was stored, in the conversation's lane, within
    /// `deadline`: the path of `send` and of every entry of the `seq` stream a client asks for
    /// (edits, deletes, reactions).
    ///
    /// - Throws: `cid_conflict`, the lifecycle refusals (`no_such_message`, `forbidden`,
    ///   `message_deleted`, `too_many_reactions`), or `unavailable` with a retry hint.
    func storeAndPublish(
        _ draft: MessageDraft, session id: SessionID, ref: String, deadline: Deadline
    ) async throws
        -> AppendResult
    {
        let cid = draft.clientID
        let conversation = draft.conversation
        let store = self.store
        do {
            // Storing and publishing happen in one lane per conversation, so messages enter the
            // broker in `seq` order and every node fans them out in that order. Lanes are FIFO
            // and every send's calls are bounded by its own deadline, which is no earlier than
            // that of any send ahead of it: a send gets the lane before its deadline passes.
            return try await withLane(conversation.key) {
                guard !deadline.hasPassed else {
                    throw DeadlineExceeded(
                        operation: "waiting for the conversation's earlier sends", budget: deadline.budget)
                }
                let storeStart = ContinuousClock.now
                let result = try await deadline.run("store append", inline: storeAnswersInProcess) {
                    try await store.append(draft)
                }
                self.metrics.storeAppendLatency.recordInterval(since: storeStart)
                let publishStart = ContinuousClock.now
                try await self.publishMessage(result.message, in: conversation, deadline: deadline)
                self.metrics.publishConfirmLatency.recordInterval(since: publishStart)
                return result
            }
        } catch let error as StoreError where error.code == .clientIDConflict {
            throw ProtocolError(.cidConflict, "cid `\(cid)` was already used for another message", cid: cid, ref: ref)
        } catch let error as StoreError where Self.lifecycleRefusals[error.code] != nil {
            throw ProtocolError(Self.lifecycleRefusals[error.code]!, error.message, cid: cid, ref: ref)
        } catch let error as DeadlineExceeded {
            // The call may still complete; a retry with the same cid finds what it stored.
            logger.warning("send timed out", metadata: ["session": "\(id)", "error": "\(error)"])
            throw ProtocolError(
                .unavailable, "\(error.operation) did not answer in time; retry with the same cid", cid: cid, ref: ref)
        } catch is BrokerError {
            throw ProtocolError(.unavailable, "the broker is unavailable; retry with the same cid", cid: cid, ref: ref)
        } catch {
            // StoreError, or the database driver's own error.
            logger.warning("send failed in the store", metadata: ["session": "\(id)", "error": "\(error)"])
            throw ProtocolError(
                .unavailable, "the message store is unavailable; retry with the same cid", cid: cid, ref: ref)
        }
    }

    /// The error codes of the store's refusals of an edit, delete, reaction or reply.
    static let lifecycleRefusals: [StoreError.Code: ErrorCode] = [
        .noSuchMessage: .noSuchMessage, .notAuthor: .forbidden, .messageDeleted: .messageDeleted,
        .tooManyReactions: .tooManyReactions, .noSuchUpload: .noSuchUpload,
    ]

    /// Publishes a stored message with confirms: once to the room, or once to each party of a
    /// direct conversation; each publish must be confirmed before `deadline`.
    func publishMessage(_ message: StoredMessage, in conversation: Conversation, deadline: Deadline) async throws {
        let broker = self.broker
        // Encoded once here; every node writes these bytes to its sockets as they are.
        let frame = ServerFrameEncoder.encode(MessageFrame(message, in: conversation))
        switch conversation {
        case .room(let room):
            var event = BrokerEvent(kind: .message, node: nodeID)
            event.room = room
            event.seq = message.seq
            event.frame = frame
            if let change = message.event {
                // Every node enforces a kick, ban or mute as it delivers it (`Hub.enforce`).
                event.action = change.action
                event.target = change.user
                event.until = change.until
                event.user = message.from
            }
            let published = BrokerMessage(topic: BrokerTopic.room(room, .message), payload: event.encoded())
            try await deadline.run("broker publish", inline: brokerAnswersInProcess) {
                try await broker.publish(published, confirm: true)
            }
        case .direct(let a, let b):
            for party in a == b ? [a] : [a, b] {
                var event = BrokerEvent(kind: .message, node: nodeID)
                event.deliverTo = party
                event.peer = conversation.peer(of: party)
                event.seq = message.seq
                event.frame = frame
                let published = BrokerMessage(topic: BrokerTopic.user(party, .message), payload: event.encoded())
                try await deadline.run("broker publish", inline: brokerAnswersInProcess) {
                    try await broker.publish(published, confirm: true)
                }
            }
        }
    }

    // MARK: read

    /// Records a read position; the store calls run within `deadline`.
    func handleRead(_ frame: ReadFrame, from id: SessionID, user: String, deadline: Deadline) async throws {
        let conversation = try conversation(
            for: frame.target, user: user, ref: "read", requireMembership: true, requireOnlinePeer: false, session: id)
        let state: ConversationState
        do {
            state = try await deadline.run("store read") { [store = self.store] in
                try await store.state(of: conversation)
            }
        } catch {
            throw ProtocolError(.unavailable, Self.storeUnavailable(error), ref: "read")
        }
        guard frame.seq >= 1, frame.seq <= state.lastSeq else {
            throw ProtocolError(
                .invalidSeq, "seq \(frame.seq) is not a message of \(conversation); the latest is \(state.lastSeq)",
                ref: "read")
        }
        let position: Int64
        do {
            position = try await deadline.run("store write") { [store = self.store] in
                try await store.markRead(user: user, in: conversation, upTo: frame.seq)
            }
        } catch {
            throw ProtocolError(.unavailable, Self.storeUnavailable(error), ref: "read")
        }
        // The user's other sessions, here and on other nodes, clear their badges.
        let roomName: String? = if case .room(let name) = conversation { name } else { nil }
        let readState = ServerFrameEncoder.encode(
            ReadStateFrame(room: roomName, peer: conversation.peer(of: user), seq: position))
        await notify(user, readState, except: id)
        switch conversation {
        case .room(let room):
            var event = BrokerEvent(kind: .receipt, node: nodeID)
            event.room = room
            event.user = user
            event.seq = position
            await publishTransient(BrokerTopic.room(room, .receipt), event)
        case .direct(let a, let b):
            for party in a == b ? [a] : [a, b] {
                var event = BrokerEvent(kind: .receipt, node: nodeID)
                event.deliverTo = party
                event.peer = conversation.peer(of: party)
                event.user = user
                event.seq = position
                await publishTransient(BrokerTopic.user(party, .receipt), event)
            }
        }
    }

    // MARK: history

    /// Answers a page of history; the store reads run within `deadline`.
    func handleHistory(
        _ frame: HistoryRequestFrame, from id: SessionID, user: String, deadline: Deadline
    ) async throws {
        var conversation = try conversation(
            for: frame.target, user: user, ref: "history", requireMembership: false, requireOnlinePeer: false,
            session: id)
        if case .room(let name) = conversation, let rooms = roomStore {
            // Private and invite-only rooms are read by members and admins only (as over /api);
            // the stored spelling names the conversation whatever case the frame used.
            do {
                let now = configuration.wallClock()
                let stored = try await deadline.run("room read check") {
                    try await rooms.authorizeRead(user: user, room: name, now: now)
                }
                if let stored {
                    conversation = .room(stored.name)
                }
            } catch let refusal as RoomStoreError {
                throw ProtocolError(refusal, ref: "history")
            } catch {
                throw ProtocolError(.unavailable, Self.storeUnavailable(error), ref: "history")
            }
        }
        if let before = frame.before, before < 1 {
            throw ProtocolError(.invalidField, "field `before` must be 1 or more", ref: "history")
        }
        if let limit = frame.limit, limit < 1 {
            throw ProtocolError(.invalidField, "field `limit` must be 1 or more", ref: "history")
        }
        let limit = min(frame.limit ?? 50, configuration.limits.maxHistoryPage)
        let page: [StoredMessage]
        do {
            let store = self.store
            page = try await deadline.run("store read") { [before = frame.before, conversation] in
                try await store.messages(in: conversation, before: before, limit: limit + 1)
            }
        } catch {
            throw ProtocolError(.unavailable, Self.storeUnavailable(error), ref: "history")
        }
        let frames = page.prefix(limit).map { MessageFrame($0, in: conversation) }
        let target: (room: String?, peer: String?) =
            switch frame.target {
            case .room(let room): (room, nil)
            case .user(let peer): (nil, peer)
            }
        var history = HistoryFrame(room: target.room, peer: target.peer, messages: frames, hasMore: page.count > limit)
        if let peer = conversation.peer(of: user), peer != user {
            // Read receipts of a DM survive a reload: the peer's stored read position.
            history.reads = try? await deadline.run("read position") { [store = self.store, conversation] in
                [JoinedFrame.Reader(user: peer, seq: try await store.readPosition(of: peer, in: conversation))]
            }
        }
        send(history, to: id)
    }

    /// The `unavailable` message of a failed store call: a timeout says so.
    static func storeUnavailable(_ error: any Error) -> String {
        if let error = error as? DeadlineExceeded {
            return "\(error.operation) did not answer in time; try again"
        }
        return "the message store is unavailable; try again"
    }

    // MARK: Lanes

    /// Runs `body` while holding the FIFO lane of `key`: bodies of one key run one at a time, in
    /// arrival order; different keys run concurrently.
    func withLane<T: Sendable>(_ key: String, _ body: () async throws -> T) async throws -> T {
        if lanes[key] == nil {
            lanes[key] = CircularBuffer()
        } else {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                lanes[key]!.append(continuation)
            }
        }
        defer {
            if let next = lanes[key]?.popFirst() {
                next.resume()
            } else {
                lanes[key] = nil
            }
        }
        return try await body()
    }
}
