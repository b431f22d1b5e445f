import CoreMetrics
public import Logging
import NIOCore

/// The heart of a node: local sessions, room membership, presence, typing, and fan-out.
///
/// Transports hand it each session's inbound frames; it validates them, stores messages
/// (which assigns `seq`), publishes every event to the broker and fans out what the broker
/// delivers back. A node never delivers straight to its own sessions around the broker, so one
/// path serves one node and many (DESIGN.md).
///
/// Fan-out encodes each event once and hands the same bytes to every recipient's sink, one
/// event-loop hop per loop (`FanOut`).
public actor Hub {
    /// Tunables of a hub.
    public struct Configuration: Sendable {
        /// This node's id; broker events carry it, presence is tracked per node.
        public var nodeID: String
        public var limits: ChatLimits
        /// Bounds of every session's outbound queue.
        public var outbox: SessionOutbox.Configuration
        /// How often expired typing indicators are swept.
        public var typingSweep: Duration
        /// How often the node announces its members to the cluster. A node silent for three
        /// intervals is presumed dead and its members go offline.
        public var presenceAnnounce: Duration
        /// How often the node asks the broker whether the other nodes' queues still exist: a node
        /// whose queue is gone crashed, and its members are released then, not after three
        /// silent presence intervals.
        public var nodeProbe: Duration
        /// How often large rooms get their online count (`presence` event `count`).
        public var presenceCount: Duration
        /// How long a room's presence transitions wait to go out together (`PresenceBatch`):
        /// a burst of joins then costs each member one frame per window, not one per join.
        /// Zero sends each transition at once.
        public var presenceBatch: Duration
        /// How long a user whose last session here ended without `bye` (a reload, a dropped
        /// network) still counts as present in its rooms and online (`PresenceGrace`): a session
        /// of the user that comes back within it posts no `left` and `joined`. Zero posts every
        /// departure at once (the server's default is 10 s, `--presence-grace`).
        public var presenceGrace: Duration
        /// Inbound rate limits and the hello and idle timeouts.
        public var inbound: InboundLimits
        /// The monotonic clock, in milliseconds, behind every time the hub measures (rate limits,
        /// timeouts, typing expiry, silent nodes); tests inject their own.
        public var clock: @Sendable () -> Int64
        /// The wall clock, in milliseconds since 1970, that stamps messages and pongs.
        public var wallClock: @Sendable () -> Int64
        /// Where the hub and the transports count what they do (`/metrics`).
        public var metrics: ChatMetrics

        public init(
            nodeID: String = Hub.randomNodeID(), limits: ChatLimits = .init(),
            outbox: SessionOutbox.Configuration = .init(), typingSweep: Duration = .milliseconds(500),
            presenceAnnounce: Duration = .seconds(5), presenceCount: Duration = .seconds(1),
            presenceBatch: Duration = .milliseconds(25), presenceGrace: Duration = .zero,
            nodeProbe: Duration = .seconds(1), inbound: InboundLimits = .init(),
            clock: @escaping @Sendable () -> Int64 = ChatClock.monotonicMillis,
            wallClock: @escaping @Sendable () -> Int64 = ChatClock.wallMillis, metrics: ChatMetrics = .init()
        ) {
            self.metrics = metrics
            self.nodeID = nodeID
            self.limits = limits
            self.outbox = outbox
            self.typingSweep = typingSweep
            self.presenceAnnounce = presenceAnnounce
            self.presenceCount = presenceCount
            self.presenceBatch = presenceBatch
            self.presenceGrace = presenceGrace
            self.nodeProbe = nodeProbe
            self.inbound = inbound
            self.clock = clock
            self.wallClock = wallClock
        }
    }

    let configuration: Configuration
    let store: any MessageStore
    let broker: any Broker
    /// Whether the store's and the broker's calls run inline (`AnswersInProcess`) instead of in
    /// a task raced against the deadline.
    let storeAnswersInProcess: Bool
    let brokerAnswersInProcess: Bool
    /// Resolves `hello` tokens and reserves registered names; nil: guests only.
    let authenticator: (any Authenticator)?
    let logger: Logger
    let decoder = ClientFrameDecoder()

    /// This node's sessions, their users and rooms, and the broker bindings held for them.
    var membership = LocalMembership()
    /// Who is online across the cluster.
    var presence: ClusterPresence
    /// Rate limits and timeouts of inbound frames.
    var inbound: InboundPolicy
    var typing = TypingTracker()
    /// The mutes `send` enforces (learned on join and from the rooms' mute events).
    var mutes = RoomMutes()
    /// Who follows whose online state (`watch`).
    var watches = PresenceWatch()
    /// Presence transitions waiting for their room's next presence frame.
    var presenceBatch = PresenceBatch()
    /// Departures held back by the presence grace period.
    var grace = PresenceGrace()
    /// Sessions whose room stream skipped a `seq`, waiting to be filled from the store.
    /// Bounded without a buffer limit: a session in a room is queued at most once (it stays
    /// repairing until the repair ran), so the stream never holds more than sessions × rooms.
    let gapRepairs = AsyncStream<GapRepair>.makeStream(bufferingPolicy: .unbounded)
    /// Joins without `since` waiting for a shared read of a room's recent messages.
    var recentReads = ReadCoalescer<String, CheckedContinuation<Backlog, any Error>>()
    /// Per-conversation FIFO locks: a held key maps to its waiters.
    var lanes: [String: CircularBuffer<CheckedContinuation<Void, Never>>] = [:]

    /// - Parameters:
    ///   - configuration: node id and limits.
    ///   - store: where messages are stored and `seq`s assigned.
    ///   - broker: the pub/sub fabric this node publishes to and consumes from.
    ///   - logger: the hub's logger; session ids are attached as metadata.
    ///   - authenticator: accounts for token sign-in and reserved names; nil allows guests only.
    public init(
        configuration: Configuration, store: any MessageStore, broker: any Broker, logger: Logger,
        authenticator: (any Authenticator)? = nil
    ) {
        self.configuration = configuration
        self.store = store
        self.broker = broker
        self.storeAnswersInProcess = store is any AnswersInProcess
        self.brokerAnswersInProcess = broker is any AnswersInProcess
        self.authenticator = authenticator
        self.logger = logger
        self.presence = ClusterPresence(nodeID: configuration.nodeID)
        self.inbound = InboundPolicy(limits: configuration.inbound)
    }

    /// A random node id of 8 base-36 characters.
    public nonisolated static func randomNodeID() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<8).map { _ in alphabet.randomElement()! })
    }

    /// The node's id.
    public nonisolated var nodeID: String { configuration.nodeID }

    /// The node's metrics, shared with the transports.
    public nonisolated var metrics: ChatMetrics { configuration.metrics }

    /// Consumes the broker and sweeps typing indicators until cancelled.
    ///
    /// Run it once per hub (the server runs it as a `Service`); sessions work only while it runs.
    public func run() async throws {
        // Cluster events, and every room's presence: a node must know a room's members before
        // its first local member joins, so `joined` lists them all.
        let patterns = [BrokerTopic.clusterBinding, BrokerTopic.allRoomsPresenceBinding, BrokerTopic.nodeAlive(nodeID)]
        for pattern in patterns where membership.bindings.retain(pattern) {
            try await broker.bind(pattern)
        }
        /// Which child finished: only the broker consumer ending stops the hub.
        enum Child { case consumer, helper }
        try await withThrowingTaskGroup(of: Child.self) { group in
            group.addTask {
                try await self.broker.consume { message in
                    await self.deliver(message)
                }
                return .consumer
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: self.configuration.typingSweep)
                    await self.expireTyping()
                }
                return .helper
            }
            group.addTask {
                // Presence heartbeat: announce this node's members, expire silent nodes.
                while !Task.isCancelled {
                    await self.announcePresence()
                    await self.expireSilentNodes()
                    try await Task.sleep(for: self.configuration.presenceAnnounce)
                }
                return .helper
            }
            group.addTask {
                // Nodes whose queue the broker dropped are gone now: release their members.
                while !Task.isCancelled {
                    try await Task.sleep(for: self.configuration.nodeProbe)
                    await self.releaseGoneNodes()
                }
                return .helper
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: self.configuration.presenceCount)
                    await self.flushPresenceCounts()
                }
                return .helper
            }
            group.addTask {
                // Hello and idle timeouts.
                while !Task.isCancelled {
                    try await Task.sleep(for: Self.sessionSweep)
                    await self.closeExpiredSessions()
                }
                return .helper
            }
            group.addTask {
                for await _ in self.broker.recoveries() {
                    await self.brokerRecovered()
                }
                return .helper
            }
            group.addTask {
                for await request in self.gapRepairs.stream {
                    await self.repairGap(request)
                }
                return .helper
            }
            while let child = try await group.next() {
                if child == .consumer { break }
            }
            group.cancelAll()
        }
    }

    // MARK: Sessions

    /// Registers a new connection whose frames are drained from a `SessionOutbox` (the SockJS
    /// transports, tests), and returns its id and outbox.
    public func connect() -> (SessionID, SessionOutbox) {
        let slowConsumersDropped = metrics.slowConsumersDropped
        let outbox = SessionOutbox(configuration: configuration.outbox) { slowConsumersDropped.increment() }
        return (connect(sink: outbox), outbox)
    }

    /// Registers a new connection whose frames go to `sink` (a channel handler's sink, written on
    /// its event loop), and returns its id.
    public func connect(sink: any SessionSink) -> SessionID {
        membership.connect(
            sink: sink, allowance: ConnectionAllowance(limits: configuration.inbound, nowMillis: configuration.clock()))
    }

    /// Forgets a connection: leaves its rooms (presence `leave`) and takes its user offline here
    /// if it was the user's last session on this node, after the presence grace unless the
    /// session said `bye` (`Hub+PresenceGrace`).
    public func disconnect(_ id: SessionID) async {
        guard let departure = membership.disconnect(id) else { return }
        watches.forget(id)
        departure.session.sink.close(.normal, reason: "session ended")
        guard let user = departure.session.user else { return }
        await departed(departure, user: user)
    }

    /// Closes every session with `code` (1012 on restart, 1001 on shutdown).
    public func closeAll(_ code: CloseCode, reason: String) {
        for session in membership.sessions.values {
            session.sink.close(code, reason: reason)
        }
    }

    /// Handles one inbound text frame of a session. Refusals become `error` frames; the
    /// session stays usable.
    ///
    /// - Parameters:
    ///   - bytes: the frame's JSON text.
    ///   - id: the session that sent it.
    ///   - receivedAt: when the frame arrived on the socket (or in a SockJS request). The
    ///     deadline of a `send`, `join`, `history` or `read` counts from here, so a frame that
    ///     waited behind its session's earlier ones is still answered within
    ///     `ChatLimits.sendTimeout` of arriving: a `send` whose time ran out while it waited is
    ///     answered `unavailable` at once, without touching the store or the broker. Transports
    ///     that queue frames must pass it; the default is for callers that hand a frame over
    ///     as it arrives.
    public func receive(
        _ bytes: some Collection<UInt8> & Sendable, from id: SessionID, receivedAt: ContinuousClock.Instant = .now
    ) async {
        metrics.framesIn.increment()
        guard admit(id, frame: bytes) else { return }
        do {
            if bytes.count > configuration.limits.maxFrameBytes {
                throw ProtocolError(.invalidField, "frame exceeds \(configuration.limits.maxFrameBytes) bytes")
            }
            let frame = try decoder.decode(bytes)
            try await handle(frame, from: id, deadline: Deadline(configuration.limits.sendTimeout, from: receivedAt))
        } catch let error as ProtocolError {
            send(error.frame, to: id)
        } catch {
            logger.error("unexpected error handling a frame", metadata: ["session": "\(id)", "error": "\(error)"])
            send(ErrorFrame(code: .internalError, message: "internal error", cid: nil, ref: nil), to: id)
        }
    }

    /// Tells a session that it sent a binary frame, which the protocol does not use.
    public func refuseBinary(from id: SessionID) {
        metrics.framesIn.increment()
        guard admit(id) else { return }
        send(
            ErrorFrame(
                code: .unsupportedFrame, message: "binary frames are not supported; send JSON text frames",
                cid: nil, ref: nil
            ),
            to: id
        )
    }

    /// Handles a decoded frame; `deadline` bounds the store and broker calls of the requests
    /// that make them (it counts from the frame's arrival).
    func handle(_ frame: ClientFrame, from id: SessionID, deadline: Deadline) async throws {
        try refuseOutOfBotScope(frame, from: id)
        switch frame {
        case .ping(let ping):
            send(PongFrame(id: ping.id, ts: configuration.wallClock()), to: id)
        case .hello(let hello):
            try await handleHello(hello, from: id)
        case .join(let join):
            try await handleJoin(join, from: id, user: try identifiedUser(id, frame: "join"), deadline: deadline)
        case .leave(let leave):
            try await handleLeave(leave, from: id, user: try identifiedUser(id, frame: "leave"))
        case .send(let message):
            try await handleSend(
                message, from: id, user: try identifiedUser(id, frame: "send", cid: message.cid), deadline: deadline)
        case .typing(let typing):
            try await handleTyping(typing, from: id, user: try identifiedUser(id, frame: "typing"))
        case .read(let read):
            try await handleRead(read, from: id, user: try identifiedUser(id, frame: "read"), deadline: deadline)
        case .history(let request):
            try await handleHistory(
                request, from: id, user: try identifiedUser(id, frame: "history"), deadline: deadline)
        case .roomCreate(let settings):
            try await handleRoomCreate(
                settings, from: id, user: try identifiedUser(id, frame: "room_create"), deadline: deadline)
        case .roomUpdate(let settings):
            try await handleRoomUpdate(
                settings, from: id, user: try identifiedUser(id, frame: "room_update"), deadline: deadline)
        case .roomInfo(let info):
            try await handleRoomInfo(
                info, from: id, user: try identifiedUser(id, frame: "room_info"), deadline: deadline)
        case .moderate(let moderation):
            try await handleModeration(
                moderation, from: id, user: try identifiedUser(id, frame: moderation.action.rawValue),
                deadline: deadline)
        case .change(let change):
            try await handleChange(
                change, from: id, user: try identifiedUser(id, frame: change.action.rawValue, cid: change.cid),
                deadline: deadline)
        case .watch(let watch):
            try await handleWatch(watch, from: id, user: try identifiedUser(id, frame: "watch"), deadline: deadline)
        case .block(let block):
            try await handleBlock(
                block, blocking: true, from: id, user: try identifiedUser(id, frame: "block"), deadline: deadline)
        case .unblock(let block):
            try await handleBlock(
                block, blocking: false, from: id, user: try identifiedUser(id, frame: "unblock"), deadline: deadline)
        case .bye:
            membership[id]?.saidBye = true
        }
    }

    func identifiedUser(_ id: SessionID, frame: String, cid: String? = nil) throws(ProtocolError) -> String {
        guard let user = membership[id]?.user else {
            throw ProtocolError(.notIdentified, "send `hello` before `\(frame)`", cid: cid, ref: frame)
        }
        return user
    }

    // MARK: hello

    func handleHello(_ hello: HelloFrame, from id: SessionID) async throws {
        guard let session = membership[id], session.user == nil else {
            throw ProtocolError(.alreadyIdentified, "this session already said hello", ref: "hello")
        }
        session.allowance.helloReceived = true
        // A registered user may have several sessions (tabs, devices); a guest nick is one person.
        let (nick, registered, botScope) = try await identify(hello)
        // The session may have gone, or said hello twice, while the account store answered.
        guard membership[id] != nil, membership[id]?.user == nil else { return }
        if !registered, !membership.isLocal(nick), presence.isConnected(nick, elsewhereThan: nodeID) {
            // Held on other nodes only: a claim of a node that crashed is replaced, not refused.
            await releaseGoneNodes(holding: nick)
            guard membership[id] != nil, membership[id]?.user == nil else { return }
        }
        // A nick only lingering (its guest's sessions ended within the presence grace) is free.
        if !registered, membership.isLocal(nick) || presence.isConnected(nick, elsewhereThan: nodeID) {
            throw ProtocolError(.nickTaken, "the nick `\(nick)` is in use by someone online", ref: "hello")
        }
        _ = membership.identify(id, as: nick)
        // Back within the grace: the `online` below ends the wait without a word to anyone.
        grace.returned(nick)
        membership[id]?.registered = registered
        membership[id]?.botScope = botScope
        do {
            try await retainBinding(BrokerTopic.userBinding(nick))
        } catch {
            membership.unidentify(id)
            throw ProtocolError(.unavailable, "the broker is unavailable; try again", ref: "hello")
        }
        await publishOnline(nick, true)
        let unread = await unreadSummary(for: nick, registered: registered)
        let stored = await storedConversations(for: nick, registered: registered)
        if registered, let accounts = store as? any AccountStore,
            let account = try? await Deadline(in: configuration.limits.sendTimeout).run(
                "account lookup",
                {
                    try await accounts.account(named: nick)
                })
        {
            membership[id]?.admin = account.isAdmin
        }
        send(
            WelcomeFrame(
                user: nick, session: id.description, node: nodeID, limits: configuration.limits,
                registered: registered, unread: unread, rooms: stored?.rooms, dms: stored?.dms,
                blocked: stored?.blocked, admin: membership[id]?.admin == true ? true : nil),
            to: id)
        logger.debug("hello", metadata: ["session": "\(id)", "user": "\(nick)"])
        await deliverUnread(unread ?? [], to: id, user: nick)

        for (room, since) in (hello.resume ?? [:]).sorted(by: { $0.key < $1.key }) {
            do {
                try refuseOutOfBotScope(.join(JoinFrame(room: room, since: since)), from: id)
                // Each resumed room gets the whole budget for its backlog, from now.
                try await handleJoin(
                    JoinFrame(room: room, since: since), from: id, user: nick,
                    deadline: Deadline(in: configuration.limits.sendTimeout))
            } catch let error as ProtocolError {
                send(error.frame, to: id)
            }
        }
    }

    // MARK: Helpers

    /// Encodes `frame` and queues it for one session.
    func send(_ frame: some Encodable, to id: SessionID, ephemeral: Bool = false) {
        membership[id]?.sink.send(ServerFrameEncoder.encode(frame), ephemeral: ephemeral)
    }

    func retainBinding(_ pattern: String) async throws {
        if membership.bindings.retain(pattern) {
            do {
                try await broker.bind(pattern)
            } catch {
                _ = membership.bindings.release(pattern)
                throw error
            }
        }
    }

    func releaseBinding(_ pattern: String) async {
        if membership.bindings.release(pattern) {
            do {
                try await broker.unbind(pattern)
            } catch {
                logger.warning("unbind failed", metadata: ["pattern": "\(pattern)", "error": "\(error)"])
            }
        }
    }

    /// Publishes an ephemeral event; failures are logged, never surfaced (typing, presence).
    func publishTransient(_ topic: String, _ event: BrokerEvent) async {
        do {
            try await broker.publish(BrokerMessage(topic: topic, payload: event.encoded()), confirm: false)
        } catch {
            logger.debug("transient publish failed", metadata: ["topic": "\(topic)", "error": "\(error)"])
        }
    }

    // MARK: Introspection

    /// Public rooms with at least one user online, and their counts, sorted by name.
    public func roomCounts() -> [(room: String, online: Int)] {
        presence.roster.counts.sorted { $0.room < $1.room }
    }

    /// The number of connected sessions on this node.
    public var sessionCount: Int { membership.sessions.count }
}
