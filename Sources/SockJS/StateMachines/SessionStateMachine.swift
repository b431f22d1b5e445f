import NIOCore

/// The life of one SockJS session, without I/O: what each receiving request gets, when the
/// outbound queue is full, and when the session may be forgotten.
///
/// The outbound queue takes messages two ways: `enqueue` for an application that waits while
/// the queue is full (`SockJSSession.send`), and `offer` for one that must never wait (the chat's
/// fan-out), which drops ephemeral messages first and then closes the session. Either way the
/// queue lives with the session between the client's requests.
///
/// A session has at most one *receiver* (the request or WebSocket that carries frames to the
/// client). Every receiver first gets `o` (once per session), then queued messages, then the close
/// frame. A second receiver while one is attached gets `c[2010,…]` and leaves the session alone;
/// a receiver that vanishes mid-response (the client aborted) closes the session with 1002. Once
/// no receiver has been attached for the disconnect delay, the session expires.
struct SessionStateMachine {
    /// Bounds of the outbound queue.
    struct Limits: Sendable {
        var maxPendingBytes: Int
        var maxPendingMessages: Int
    }

    /// Identifies one attached receiver.
    struct ReceiverID: Hashable, Sendable {
        fileprivate let raw: UInt64
    }

    enum Phase: Equatable {
        case open
        case closed(code: Int, reason: String)
    }

    private(set) var phase: Phase = .open
    private(set) var expired = false
    private let limits: Limits
    private var openSent = false
    private var receiver: ReceiverID?
    private var receiverCount: UInt64 = 0
    /// A message waiting for a receiver, and whether it may be dropped for a slow client.
    private struct Pending {
        var bytes: ByteBuffer
        var ephemeral: Bool
    }

    private var pending = CircularBuffer<Pending>()
    private var pendingEphemeralCount = 0
    private var pendingBytes = 0
    /// How many ephemeral messages `offer` dropped for a client that collects too slowly.
    private(set) var droppedEphemeral = 0
    /// When the last receiver detached; nil while one is attached.
    private var detachedAt: NIODeadline?

    init(limits: Limits, now: NIODeadline) {
        self.limits = limits
        self.detachedAt = now
    }

    var hasReceiver: Bool { receiver != nil }
    func isAttached(_ id: ReceiverID) -> Bool { receiver == id }
    var isClosed: Bool { phase != .open }

    // MARK: Receivers

    enum AttachAction: Equatable {
        /// Serve this receiver with `next(for:)` until done, then `detach`.
        case attached(ReceiverID)
        /// Another receiver is attached: answer `c[2010,…]`.
        case anotherConnectionOpen
    }

    mutating func attach() -> AttachAction {
        if receiver != nil { return .anotherConnectionOpen }
        receiverCount += 1
        let id = ReceiverID(raw: receiverCount)
        receiver = id
        detachedAt = nil
        return .attached(id)
    }

    enum NextAction: Equatable {
        /// Send this frame. After a `.close` frame the receiver is done.
        case frame(SockJSFrame, drained: Bool)
        /// Nothing to send yet: wait for a wake-up or the heartbeat.
        case wait
        /// The receiver no longer belongs to this session.
        case detached
    }

    /// What receiver `id` sends next.
    mutating func next(for id: ReceiverID) -> NextAction {
        guard receiver == id else { return .detached }
        if !openSent {
            openSent = true
            return .frame(.open, drained: false)
        }
        if !pending.isEmpty {
            let messages = pending.map(\.bytes)
            clearPending()
            return .frame(.messages(messages), drained: true)
        }
        if case .closed(let code, let reason) = phase {
            return .frame(.close(code: code, reason: reason), drained: false)
        }
        return .wait
    }

    /// Receiver `id` finished its response normally.
    ///
    /// - Returns: whether it was the attached receiver.
    @discardableResult
    mutating func detach(_ id: ReceiverID, now: NIODeadline) -> Bool {
        guard receiver == id else { return false }
        receiver = nil
        detachedAt = now
        return true
    }

    enum AbortAction: Equatable {
        case none
        /// The session was open and is now closed with 1002: end its inbound messages.
        case closed
    }

    /// Receiver `id`'s connection vanished before it was done.
    mutating func abort(_ id: ReceiverID, now: NIODeadline) -> AbortAction {
        guard receiver == id else { return .none }
        receiver = nil
        detachedAt = now
        guard phase == .open else { return .none }
        phase = .closed(code: 1002, reason: "Connection interrupted")
        clearPending()
        return .closed
    }

    // MARK: Application

    enum EnqueueAction: Equatable {
        /// Queued; wake the receiver.
        case queued
        /// The queue is full: wait until the receiver drains it.
        case full
        /// The session is closed: the message is dropped.
        case closed
    }

    /// Queues one message.
    mutating func enqueue(_ message: ByteBuffer) -> EnqueueAction {
        guard phase == .open else { return .closed }
        // One message always fits in an empty queue, so a large message cannot wedge the session.
        if !pending.isEmpty,
            pendingBytes + message.readableBytes > limits.maxPendingBytes || pending.count >= limits.maxPendingMessages
        {
            return .full
        }
        append(message, ephemeral: false)
        return .queued
    }

    enum OfferAction: Equatable {
        /// Queued; wake the receiver (once per batch).
        case queued
        /// Not queued: an ephemeral message with no room, or the session is closed.
        case dropped
        /// No room even after dropping every queued ephemeral message: the session is now closed
        /// with the overflow code, and what was queued is discarded.
        case overflow
    }

    /// Queues one message without ever waiting, for a producer that must not block (the chat's
    /// fan-out): when the queue is full, queued ephemeral messages are dropped first (an
    /// ephemeral `message` itself is dropped instead); if it is still full the client is too
    /// slow and the session closes with `overflowClose`.
    ///
    /// - Parameters:
    ///   - message: the message's bytes.
    ///   - ephemeral: whether it may be dropped for a slow client.
    ///   - bounds: the most messages and bytes queued.
    ///   - overflowClose: the code and reason the session closes with when it overflows.
    mutating func offer(
        _ message: ByteBuffer, ephemeral: Bool, bounds: Limits, overflowClose: (code: Int, reason: String)
    ) -> OfferAction {
        guard phase == .open else { return .dropped }
        let size = message.readableBytes
        while pending.count >= bounds.maxPendingMessages || pendingBytes + size > bounds.maxPendingBytes {
            if ephemeral {
                droppedEphemeral += 1
                return .dropped
            }
            guard pendingEphemeralCount > 0, let index = pending.firstIndex(where: \.ephemeral) else {
                phase = .closed(code: overflowClose.code, reason: overflowClose.reason)
                clearPending()
                return .overflow
            }
            let dropped = pending.remove(at: index)
            pendingBytes -= dropped.bytes.readableBytes
            pendingEphemeralCount -= 1
            droppedEphemeral += 1
        }
        append(message, ephemeral: ephemeral)
        return .queued
    }

    private mutating func append(_ message: ByteBuffer, ephemeral: Bool) {
        pending.append(Pending(bytes: message, ephemeral: ephemeral))
        pendingBytes += message.readableBytes
        if ephemeral { pendingEphemeralCount += 1 }
    }

    private mutating func clearPending() {
        pending.removeAll(keepingCapacity: true)
        pendingEphemeralCount = 0
        pendingBytes = 0
    }

    /// Closes the session; receivers get the queued messages, then `c[code,reason]`.
    ///
    /// - Returns: whether this call closed it (false when it already was).
    mutating func close(code: Int, reason: String) -> Bool {
        guard phase == .open else { return false }
        phase = .closed(code: code, reason: reason)
        return true
    }

    enum ExpireAction: Equatable {
        case none
        /// Forget the session; `wasOpen` says whether its inbound messages must end now.
        case expire(wasOpen: Bool)
    }

    /// Expires the session when no receiver has been attached for `delay`.
    mutating func expireIfIdle(now: NIODeadline, delay: TimeAmount) -> ExpireAction {
        guard !expired, receiver == nil, let detachedAt, detachedAt + delay <= now else { return .none }
        expired = true
        let wasOpen = phase == .open
        if wasOpen { phase = .closed(code: 1000, reason: "Session timed out") }
        clearPending()
        return .expire(wasOpen: wasOpen)
    }
}
