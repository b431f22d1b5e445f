public import HTTPTypes
public import NIOCore
import Synchronization

/// One SockJS session, whatever transport carries it: read `messages`, `send`, `close`.
///
/// The application never sees transports: the same handler serves a WebSocket client and one
/// that polls with `xhr` through a proxy. Both directions are bounded. `send` waits while the
/// client has not collected what is already queued (`Configuration.maxPendingBytes`), and
/// `messages` holds at most `Configuration.maxInboundMessages` before senders wait, so a slow
/// party slows its peer down instead of growing the server's memory.
public final class SockJSSession: Sendable {
    /// The session id the client chose (for logging; never shown to other clients).
    public let id: String
    /// The transport of the request that opened the session.
    public let transport: SockJSTransport
    /// Headers of the request that opened the session (`Origin`, `Cookie`, `User-Agent`, …).
    public let requestHeaders: HTTPFields

    private struct Locked {
        var machine: SessionStateMachine
        var receiverWaiter: (SessionStateMachine.ReceiverID, CheckedContinuation<Void, Never>)?
        /// A wake-up that arrived while the receiver was between `next` and suspending.
        var wakePending = false
        var senders: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextSenderID: UInt64 = 0
        /// How often the receiver drained the outbound queue; a sender that saw the queue full
        /// retries at once if it changed before it could suspend.
        var drains: UInt64 = 0
    }

    private let state: Mutex<Locked>
    private let inbound: InboundMessageQueue

    init(
        id: String, transport: SockJSTransport, requestHeaders: HTTPFields,
        configuration: SockJSServer.Configuration
    ) {
        self.id = id
        self.transport = transport
        self.requestHeaders = requestHeaders
        self.state = Mutex(
            Locked(
                machine: SessionStateMachine(
                    limits: .init(
                        maxPendingBytes: configuration.maxPendingBytes,
                        maxPendingMessages: configuration.maxPendingMessages),
                    now: .now())))
        self.inbound = InboundMessageQueue(capacity: configuration.maxInboundMessages)
    }

    // MARK: Application API

    /// The messages the client sends, in order; ends when the session closes.
    public var messages: Messages { Messages(queue: inbound) }

    /// The client's messages as an `AsyncSequence` (single consumer).
    public struct Messages: AsyncSequence, Sendable {
        public typealias Element = SockJSMessage
        let queue: InboundMessageQueue

        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(queue: queue) }

        public struct AsyncIterator: AsyncIteratorProtocol {
            let queue: InboundMessageQueue
            public mutating func next() async -> SockJSMessage? { await queue.next() }
        }
    }

    /// Queues a message for the client, waiting while the outbound queue is full.
    ///
    /// - Returns: false when the session is closed (the message is dropped).
    @discardableResult
    public func send(_ message: SockJSMessage) async -> Bool {
        while true {
            let (action, receiver, drains) = state.withLock { locked in
                let action = locked.machine.enqueue(message.bytes)
                return (action, action == .queued ? Self.takeReceiver(&locked) : nil, locked.drains)
            }
            switch action {
            case .queued:
                receiver?.resume()
                return true
            case .closed:
                return false
            case .full:
                if Task.isCancelled { return false }
                await waitForRoom(drainsSeen: drains)
            }
        }
    }

    /// Queues a text message for the client; see `send(_:)`.
    @discardableResult
    public func send(_ text: String) async -> Bool {
        await send(SockJSMessage(text))
    }

    /// What `offer` did with a message.
    public enum OfferResult: Sendable, Equatable {
        /// Queued; `wakeReceiver` pushes it towards the client.
        case queued
        /// Not queued: an ephemeral message with no room, or the session is closed.
        case dropped
        /// The queue overflowed: the session is now closed with the overflow code.
        case overflow
    }

    /// Bounds and overflow close of `offer`.
    public struct OfferPolicy: Sendable, Equatable {
        /// Most messages queued for the client.
        public var maxMessages: Int
        /// Most bytes queued for the client.
        public var maxBytes: Int
        /// The close code when the queue overflows (the chat uses 1013).
        public var overflowCode: Int
        /// The close reason when the queue overflows.
        public var overflowReason: String

        /// - Parameters:
        ///   - maxMessages: most messages queued.
        ///   - maxBytes: most bytes queued.
        ///   - overflowCode: the close code when the queue overflows.
        ///   - overflowReason: the close reason when the queue overflows.
        public init(maxMessages: Int, maxBytes: Int, overflowCode: Int, overflowReason: String) {
            self.maxMessages = maxMessages
            self.maxBytes = maxBytes
            self.overflowCode = overflowCode
            self.overflowReason = overflowReason
        }
    }

    /// Queues a message for the client without ever waiting, and without waking the receiver
    /// (call `wakeReceiver` once per batch).
    ///
    /// For a producer that must not block on one client, such as a chat fan-out: when the queue is
    /// full, ephemeral messages are dropped first, then the session closes with the policy's
    /// overflow code. The queue lives with the session between the client's requests, so a
    /// polling client collects in its next request what arrived in between.
    ///
    /// - Parameters:
    ///   - message: the message's bytes, possibly shared with other sessions.
    ///   - ephemeral: whether it may be dropped for a slow client.
    ///   - policy: bounds and overflow close.
    public func offer(_ message: ByteBuffer, ephemeral: Bool, policy: OfferPolicy) -> OfferResult {
        let (action, waiters) = state.withLock { locked -> (SessionStateMachine.OfferAction, Waiters) in
            let action = locked.machine.offer(
                message, ephemeral: ephemeral,
                bounds: .init(maxPendingBytes: policy.maxBytes, maxPendingMessages: policy.maxMessages),
                overflowClose: (policy.overflowCode, policy.overflowReason))
            guard action == .overflow else { return (action, Waiters()) }
            return (action, Waiters(receiver: Self.takeReceiver(&locked), senders: Self.takeSenders(&locked)))
        }
        switch action {
        case .queued: return .queued
        case .dropped: return .dropped
        case .overflow:
            inbound.finish()
            waiters.resume()
            return .overflow
        }
    }

    /// Wakes the receiver waiting for frames, if one is: after a batch of `offer`s.
    public func wakeReceiver() {
        state.withLock { Self.takeReceiver(&$0) }?.resume()
    }

    /// Continuations to resume once the lock is released.
    private struct Waiters {
        var receiver: CheckedContinuation<Void, Never>?
        var senders: [CheckedContinuation<Void, Never>] = []

        func resume() {
            receiver?.resume()
            for sender in senders { sender.resume() }
        }
    }

    /// Closes the session: the client gets what is queued, then `c[code,"reason"]`.
    ///
    /// SockJS reserves codes below 3000 for the protocol except the WebSocket ones (1000–1015),
    /// which the chat uses so that every transport reports the same close reason.
    public func close(code: Int = 3000, reason: String = "Go away!") {
        let (closed, receiver, senders) = state.withLock { locked in
            let closed = locked.machine.close(code: code, reason: reason)
            return (closed, closed ? Self.takeReceiver(&locked) : nil, closed ? Self.takeSenders(&locked) : [])
        }
        guard closed else { return }
        inbound.finish()
        receiver?.resume()
        for sender in senders { sender.resume() }
    }

    /// Whether the session is closed (by either side, or because it expired).
    public var isClosed: Bool { state.withLock { $0.machine.isClosed } }

    // MARK: Transport API

    func attachReceiver() -> SessionStateMachine.AttachAction {
        state.withLock { $0.machine.attach() }
    }

    /// The next frame for receiver `id`: a heartbeat when nothing happens for `heartbeat`, nil
    /// once the receiver is detached (or its task cancelled).
    func nextFrame(for id: SessionStateMachine.ReceiverID, heartbeat: Duration) async -> SockJSFrame? {
        while true {
            let (action, senders) = state.withLock { locked in
                locked.wakePending = false
                let action = locked.machine.next(for: id)
                if case .frame(_, drained: true) = action {
                    locked.drains &+= 1
                    return (action, Self.takeSenders(&locked))
                }
                return (action, [])
            }
            for sender in senders { sender.resume() }
            switch action {
            case .frame(let frame, _):
                return frame
            case .detached:
                return nil
            case .wait:
                if Task.isCancelled { return nil }
                if await !waitForWake(id, timeout: heartbeat) {
                    if Task.isCancelled { return nil }
                    let attached = state.withLock { locked in
                        if case .detached = locked.machine.next(for: id) { return false }
                        return true
                    }
                    return attached ? .heartbeat : nil
                }
            }
        }
    }

    func detachReceiver(_ id: SessionStateMachine.ReceiverID) {
        let waiter = state.withLock { locked in
            locked.machine.detach(id, now: .now()) ? Self.takeReceiver(&locked) : nil
        }
        waiter?.resume()
    }

    /// The receiver's connection vanished: closes the session with 1002 if it was open.
    func abortReceiver(_ id: SessionStateMachine.ReceiverID) {
        let (action, waiter, senders) = state.withLock { locked in
            let action = locked.machine.abort(id, now: .now())
            return (action, Self.takeReceiver(&locked), action == .closed ? Self.takeSenders(&locked) : [])
        }
        waiter?.resume()
        for sender in senders { sender.resume() }
        if action == .closed { inbound.finish() }
    }

    /// Hands decoded client messages to the application, waiting while `messages` is full.
    func deliver(_ payloads: [ByteBuffer]) async {
        guard !payloads.isEmpty else { return }
        // Stamped before waiting for room in the queue: the wait is part of the message's age.
        let arrival = ContinuousClock.now
        _ = await inbound.push(payloads.map { SockJSMessage(bytes: $0, receivedAt: arrival) })
    }

    /// Expires the session if no receiver has been attached for `delay`.
    ///
    /// - Returns: whether the session expired (forget it).
    func expireIfIdle(now: NIODeadline, delay: TimeAmount) -> Bool {
        let (action, senders) = state.withLock { locked in
            let action = locked.machine.expireIfIdle(now: now, delay: delay)
            return (action, action == .none ? [] : Self.takeSenders(&locked))
        }
        guard case .expire = action else { return false }
        for sender in senders { sender.resume() }
        inbound.finish()
        return true
    }

    // MARK: Waiting

    private static func takeReceiver(_ locked: inout Locked) -> CheckedContinuation<Void, Never>? {
        guard let (_, continuation) = locked.receiverWaiter else {
            locked.wakePending = true
            return nil
        }
        locked.receiverWaiter = nil
        return continuation
    }

    private static func takeSenders(_ locked: inout Locked) -> [CheckedContinuation<Void, Never>] {
        let senders = Array(locked.senders.values)
        locked.senders.removeAll()
        return senders
    }

    /// Suspends until woken (true) or until `timeout` passes or the task is cancelled (false).
    private func waitForWake(_ id: SessionStateMachine.ReceiverID, timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.suspendReceiver(id)
                return !Task.isCancelled
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let woken = await group.next() ?? false
            group.cancelAll()
            return woken
        }
    }

    private func suspendReceiver(_ id: SessionStateMachine.ReceiverID) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                var stale: CheckedContinuation<Void, Never>?
                let resumeNow = state.withLock { locked -> Bool in
                    if locked.wakePending || Task.isCancelled || !locked.machine.isAttached(id) {
                        locked.wakePending = false
                        return true
                    }
                    // Only the attached receiver waits; a stale waiter is woken to re-check.
                    stale = locked.receiverWaiter?.1
                    locked.receiverWaiter = (id, continuation)
                    return false
                }
                stale?.resume()
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { locked -> CheckedContinuation<Void, Never>? in
                guard let (waiting, continuation) = locked.receiverWaiter, waiting == id else { return nil }
                locked.receiverWaiter = nil
                return continuation
            }?.resume()
        }
    }

    private func waitForRoom(drainsSeen: UInt64) async {
        let id = state.withLock { locked -> UInt64 in
            locked.nextSenderID += 1
            return locked.nextSenderID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { locked -> Bool in
                    // Retry at once if the queue drained or closed since `enqueue` said full.
                    if locked.machine.isClosed || locked.drains != drainsSeen || Task.isCancelled { return true }
                    locked.senders[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.senders.removeValue(forKey: id) }?.resume()
        }
    }
}
