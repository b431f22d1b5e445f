import ChatCore
import Logging
import NIOCore
import ServiceLifecycle
import SockJS
import Synchronization

/// SockJS forwarding over the chat's broker: any node serves any HTTP-transport request.
///
/// Ownership is a binding, so it is exact and costs no timeout: the node that creates a session
/// binds `sockjs.session.<hex id>` to its queue before the session's first frame goes out, and
/// unbinds it when the session is forgotten. A node that receives a request for a session it
/// does not hold publishes it *mandatory* to that key: it either reaches the owner, which answers
/// `accepted` at once, or comes back from RabbitMQ (`basic.return`), which means no node owns
/// the session and the receiving node serves it itself. Replies (`accepted`, `head`, `chunk`…,
/// `end`) go to `node.<id>.sockjs` of the receiving node, chunk by chunk as the owner's transport
/// writes them; the client's abort goes back to the owner. A dead owner's exclusive queue and
/// bindings vanish with its connection, so its sessions read as unowned, never as a hang.
///
/// Everything is bounded: forwarded requests in flight each way, relayed chunks per response,
/// the wait for the owner's acceptance and the silence between relayed messages.
final class BrokerSockJSCluster: SockJSCluster, Service {
    /// Bounds and timeouts of the relay.
    struct Configuration: Sendable {
        /// Requests this node may have forwarded and not yet seen answered (503 beyond).
        var maxPendingForwards = 1_024
        /// Requests other nodes may have forwarded to this node at once (refused beyond).
        var maxInboundForwards = 1_024
        /// Relayed chunks buffered per response while the client reads; the response is
        /// aborted beyond (a streaming response is at most the response limit anyway).
        var maxRelayChunks = 4_096
        /// How long the owner may take to acknowledge a forwarded request. Only an owner that
        /// died mid-request (or a broker outage) costs this wait; an unowned session is known
        /// at once.
        var acceptTimeout: Duration = .seconds(10)
        /// Longest silence between relayed messages: longer than the heartbeat, since a poll
        /// waits one heartbeat and a stream writes `h` every heartbeat.
        var idleTimeout: Duration = .seconds(60)
    }

    private struct State {
        /// Requests this node forwarded.
        var forwarding: ForwardingTable
        /// Requests other nodes forwarded here, by id, until their `end`.
        var serving: [String: ForwardedAbort] = [:]
    }

    let nodeID: String
    let inbound: AsyncStream<SockJSForwardedExchange>
    private let inboundContinuation: AsyncStream<SockJSForwardedExchange>.Continuation
    private let broker: any ReturningBroker
    private let configuration: Configuration
    private let logger: Logger
    private let state: Mutex<State>

    init(broker: any ReturningBroker, nodeID: String, configuration: Configuration = .init(), logger: Logger) {
        self.broker = broker
        self.nodeID = nodeID
        self.configuration = configuration
        self.logger = logger
        self.state = Mutex(State(forwarding: ForwardingTable(capacity: configuration.maxPendingForwards)))
        (inbound, inboundContinuation) = AsyncStream.makeStream(
            bufferingPolicy: .bufferingOldest(configuration.maxInboundForwards))
    }

    // MARK: Service

    /// Binds this node's reply key, watches returned requests and expires silent forwards until
    /// graceful shutdown.
    func run() async throws {
        try await broker.bind(RelayTopic.node(nodeID))
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await self.broker.consumeReturns { message in self.returned(message) }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    self.expire(now: .now)
                }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        inboundContinuation.finish()
        let stopped = state.withLock { $0.forwarding.removeAll() }
        for entry in stopped { entry.streams.finish(throwing: SockJSClusterError(.unavailable, "node shutting down")) }
    }

    // MARK: SockJSCluster

    func sessionCreated(_ session: String) async throws {
        guard let topic = RelayTopic.session(session) else { return }
        try await broker.bind(topic)
    }

    func sessionRemoved(_ session: String) async {
        guard let topic = RelayTopic.session(session) else { return }
        do {
            try await broker.unbind(topic)
        } catch {
            logger.debug("cannot unbind SockJS session", metadata: ["session": "\(session)", "error": "\(error)"])
        }
    }

    func forward(_ request: SockJSForwardedRequest) async throws -> SockJSForwarding? {
        guard let topic = RelayTopic.session(request.session) else { return nil }
        let id = request.id
        let (acceptance, acceptanceContinuation) = AsyncThrowingStream<Bool, any Error>.makeStream(
            bufferingPolicy: .bufferingOldest(1))
        let (head, headContinuation) = AsyncThrowingStream<SockJSResponseHead, any Error>.makeStream(
            bufferingPolicy: .bufferingOldest(1))
        let (body, bodyContinuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream(
            bufferingPolicy: .bufferingOldest(configuration.maxRelayChunks))
        let streams = RelayStreams(acceptance: acceptanceContinuation, head: headContinuation, body: bodyContinuation)
        let deadline = ContinuousClock.now + configuration.acceptTimeout
        let admitted = state.withLock {
            $0.forwarding.admit(id, session: request.session, streams: streams, deadline: deadline)
        }
        guard admitted == .admitted else {
            throw SockJSClusterError(.overloaded, "\(configuration.maxPendingForwards) forwarded requests in flight")
        }
        // The reader of the body went away (response done, client gone): forget the request.
        bodyContinuation.onTermination = { _ in self.forget(id) }

        var envelope = RelayEnvelope(kind: .request, id: id)
        envelope.origin = request.origin
        envelope.session = request.session
        envelope.method = request.method
        envelope.path = request.path
        envelope.headers = request.headers
        do {
            try broker.publishMandatory(BrokerMessage(topic: topic, payload: envelope.encoded(body: request.body)))
        } catch {
            forget(id)
            throw SockJSClusterError(.unavailable, "\(error)")
        }
        let accepted: Bool?
        do {
            var iterator = acceptance.makeAsyncIterator()
            accepted = try await iterator.next()
        } catch {
            forget(id)
            throw error
        }
        guard let accepted else {
            forget(id)
            throw CancellationError()
        }
        guard accepted else {
            forget(id)
            return nil
        }
        return SockJSForwarding(head: head, body: body, abort: { self.abort(id, topic: topic) })
    }

    // MARK: Relay messages (from the node's queue)

    /// Handles one relay message; never waits for a client, so the node's consumer keeps going.
    func handle(_ message: BrokerMessage) async {
        let envelope: RelayEnvelope
        let body: ByteBuffer
        do {
            (envelope, body) = try RelayEnvelope.decode(message.payload)
        } catch {
            logger.warning(
                "dropping undecodable SockJS relay message",
                metadata: ["topic": "\(message.topic)", "error": "\(error)"])
            return
        }
        switch envelope.kind {
        case .request:
            await accept(envelope, body: body)
        case .abort:
            state.withLock { $0.serving[envelope.id] }?.fire()
        case .accepted, .head, .chunk, .end, .failed:
            reply(envelope, body: body)
        }
    }

    /// Owner side: takes a forwarded request for one of our sessions.
    private func accept(_ envelope: RelayEnvelope, body: ByteBuffer) async {
        guard let origin = envelope.origin, let session = envelope.session, let method = envelope.method,
            let path = envelope.path
        else {
            logger.warning("dropping incomplete SockJS relay request", metadata: ["id": "\(envelope.id)"])
            return
        }
        let replyTopic = RelayTopic.node(origin)
        let aborted = ForwardedAbort()
        let admitted = state.withLock { state in
            guard state.serving.count < configuration.maxInboundForwards else { return false }
            state.serving[envelope.id] = aborted
            return true
        }
        guard admitted else {
            await refuse(
                envelope.id, to: replyTopic, reason: "\(configuration.maxInboundForwards) forwarded requests in flight")
            return
        }
        var accepted = RelayEnvelope(kind: .accepted, id: envelope.id)
        accepted.origin = nodeID
        try? await send(accepted, to: replyTopic)
        let exchange = SockJSForwardedExchange(
            request: SockJSForwardedRequest(
                id: envelope.id, origin: origin, session: session, method: method, path: path,
                headers: envelope.headers ?? [],
                body: body),
            reply: RelayReply(cluster: self, id: envelope.id, topic: replyTopic), aborted: aborted)
        if case .enqueued = inboundContinuation.yield(exchange) { return }
        state.withLock { _ = $0.serving.removeValue(forKey: envelope.id) }
        await refuse(envelope.id, to: replyTopic, reason: "node shutting down")
    }

    private func refuse(_ id: String, to topic: String, reason: String) async {
        var failed = RelayEnvelope(kind: .failed, id: id)
        failed.origin = nodeID
        failed.reason = reason
        try? await send(failed, to: topic)
    }

    /// Receiving side: one reply from the owner.
    private func reply(_ envelope: RelayEnvelope, body: ByteBuffer) {
        let deadline = ContinuousClock.now + configuration.idleTimeout
        let action = state.withLock {
            $0.forwarding.reply(
                envelope.id, from: envelope.origin, accepts: envelope.kind == .accepted, deadline: deadline)
        }
        let streams: RelayStreams
        switch action {
        case .deliver(let found):
            streams = found
        case .unknown:
            return
        case .otherOwner(let owner):
            logger.warning(
                "two nodes answered a forwarded SockJS request",
                metadata: ["id": "\(envelope.id)", "owner": "\(owner)", "other": "\(envelope.origin ?? "?")"])
            return
        }
        switch envelope.kind {
        case .accepted:
            streams.acceptance.yield(true)
            streams.acceptance.finish()
        case .head:
            guard let head = envelope.head else { return }
            streams.head.yield(head)
            streams.head.finish()
        case .chunk:
            if case .dropped = streams.body.yield(body) {
                let session = state.withLock { $0.forwarding.entries[envelope.id]?.session }
                fail(
                    envelope.id,
                    SockJSClusterError(.overflow, "more than \(configuration.maxRelayChunks) relayed chunks unread"))
                if let session, let topic = RelayTopic.session(session) { sendAbort(envelope.id, topic: topic) }
            }
        case .end:
            // Chunks already buffered are still read after the finish.
            streams.body.finish()
            forget(envelope.id)
        case .failed:
            fail(envelope.id, SockJSClusterError(.overloaded, envelope.reason ?? "the owner refused the request"))
        case .request, .abort:
            preconditionFailure("\(envelope.kind) is not a reply")
        }
    }

    /// A mandatory request came back: no node owns its session.
    private func returned(_ message: BrokerMessage) {
        guard let (envelope, _) = try? RelayEnvelope.decode(message.payload), envelope.kind == .request else { return }
        guard let streams = state.withLock({ $0.forwarding.returned(envelope.id) }) else { return }
        streams.acceptance.yield(false)
        streams.acceptance.finish()
    }

    // MARK: Owner side replies

    fileprivate func isServing(_ id: String) -> Bool {
        state.withLock { $0.serving[id] != nil }
    }

    /// Ends serving `id`; true the first time.
    fileprivate func finishServing(_ id: String) -> Bool {
        state.withLock { $0.serving.removeValue(forKey: id) != nil }
    }

    fileprivate func send(_ envelope: RelayEnvelope, body: ByteBuffer = ByteBuffer(), to topic: String) async throws {
        try await broker.publish(BrokerMessage(topic: topic, payload: envelope.encoded(body: body)), confirm: false)
    }

    // MARK: Bookkeeping

    private func abort(_ id: String, topic: String) {
        let known = state.withLock { $0.forwarding.remove(id) }
        known?.streams.finish()
        if known != nil { sendAbort(id, topic: topic) }
    }

    private func sendAbort(_ id: String, topic: String) {
        // Published without waiting; if it comes back the owner is gone anyway.
        try? broker.publishMandatory(
            BrokerMessage(topic: topic, payload: RelayEnvelope(kind: .abort, id: id).encoded()))
    }

    private func expire(now: ContinuousClock.Instant) {
        let expired = state.withLock { $0.forwarding.expire(now: now) }
        for (id, entry) in expired {
            entry.streams.finish(throwing: SockJSClusterError(.timeout, "the session's owner did not answer in time"))
            if let topic = RelayTopic.session(entry.session) { sendAbort(id, topic: topic) }
        }
    }

    private func fail(_ id: String, _ error: SockJSClusterError) {
        state.withLock { $0.forwarding.remove(id) }?.streams.finish(throwing: error)
    }

    private func forget(_ id: String) {
        state.withLock { $0.forwarding.remove(id) }?.streams.finish()
    }
}

/// The owner's answer to one forwarded request, published to the receiving node's reply key.
private struct RelayReply: SockJSForwardedReply {
    let cluster: BrokerSockJSCluster
    let id: String
    let topic: String

    func head(_ head: SockJSResponseHead) async throws {
        guard cluster.isServing(id) else { return }
        var envelope = RelayEnvelope(kind: .head, id: id)
        envelope.origin = cluster.nodeID
        envelope.head = head
        try await cluster.send(envelope, to: topic)
    }

    func chunk(_ bytes: ByteBuffer) async throws {
        guard cluster.isServing(id) else { return }
        var envelope = RelayEnvelope(kind: .chunk, id: id)
        envelope.origin = cluster.nodeID
        try await cluster.send(envelope, body: bytes, to: topic)
    }

    func end() async throws {
        guard cluster.finishServing(id) else { return }
        var envelope = RelayEnvelope(kind: .end, id: id)
        envelope.origin = cluster.nodeID
        try await cluster.send(envelope, to: topic)
    }
}
