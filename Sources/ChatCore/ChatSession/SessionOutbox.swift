public import NIOCore
import Synchronization

/// The bounded outbound queue of one client connection, shared by the `Hub` (producer) and the
/// transport (consumer).
///
/// Fan-out never waits on a client: `enqueue` returns at once. When a client stops reading and
/// the queue fills, ephemeral frames (typing, presence) are dropped first; if it is still full,
/// the client is closed with 1013 (`tryAgainLater`) and counted as a slow consumer, so one slow
/// reader can never grow the server's memory or delay anyone else.
public final class SessionOutbox: Sendable {
    /// What the transport does next.
    public enum Item: Sendable, Equatable {
        /// Write these frames, in order, then flush once.
        case frames([ByteBuffer])
        /// Close the connection with this code and reason; nothing follows.
        case close(CloseCode, String)
    }

    /// Bounds of one outbox.
    public struct Configuration: Sendable, Equatable {
        /// Most frames queued.
        public var maxFrames: Int
        /// Most bytes queued.
        public var maxBytes: Int

        public init(maxFrames: Int = 1_024, maxBytes: Int = 4 * 1024 * 1024) {
            self.maxFrames = maxFrames
            self.maxBytes = maxBytes
        }
    }

    private struct Entry {
        var bytes: ByteBuffer
        var ephemeral: Bool
    }

    private struct State {
        var entries = CircularBuffer<Entry>()
        var bytes = 0
        var ephemeralCount = 0
        var closing: (CloseCode, String)?
        var closeDelivered = false
        var consumer: CheckedContinuation<Item?, Never>?
        var droppedEphemeral = 0
        /// Who waits in `waitUntilClosing`.
        var closingWaiter: CheckedContinuation<Void, Never>?
        var closingWaiterCancelled = false
    }

    private let configuration: Configuration
    private let state = Mutex(State())
    /// Called once, when the outbox overflows (the 1013 decision).
    private let onOverflow: @Sendable () -> Void

    /// - Parameters:
    ///   - configuration: the bounds.
    ///   - onOverflow: called once, at the moment the outbox overflows. The slow consumer is
    ///     counted here rather than when the transport takes the close: a transport whose write
    ///     is stuck behind a client that stopped reading never gets to take it.
    public init(configuration: Configuration = .init(), onOverflow: @escaping @Sendable () -> Void = {}) {
        self.configuration = configuration
        self.onOverflow = onOverflow
    }

    /// Queues one encoded frame; never waits.
    ///
    /// - Parameters:
    ///   - frame: the frame's bytes, shared with every other recipient.
    ///   - ephemeral: whether the frame may be dropped for a slow client (typing, presence).
    /// - Returns: false when the frame was not queued (dropped, or the outbox is closing).
    @discardableResult
    public func enqueue(_ frame: ByteBuffer, ephemeral: Bool = false) -> Bool {
        var closingWaiter: CheckedContinuation<Void, Never>?
        var overflowed = false
        let (accepted, wake) = state.withLock { state -> (Bool, (CheckedContinuation<Item?, Never>, Item)?) in
            guard state.closing == nil else { return (false, nil) }
            let size = frame.readableBytes
            while state.entries.count >= configuration.maxFrames || state.bytes + size > configuration.maxBytes {
                if ephemeral {
                    state.droppedEphemeral += 1
                    return (false, nil)
                }
                guard state.ephemeralCount > 0, let index = state.entries.firstIndex(where: \.ephemeral) else {
                    state.closing = (.tryAgainLater, "outbound queue overflow: the client reads too slowly")
                    state.entries.removeAll()
                    state.bytes = 0
                    state.ephemeralCount = 0
                    closingWaiter = state.closingWaiter.take()
                    overflowed = true
                    return (false, Self.wakeConsumer(&state))
                }
                let dropped = state.entries.remove(at: index)
                state.bytes -= dropped.bytes.readableBytes
                state.ephemeralCount -= 1
                state.droppedEphemeral += 1
            }
            state.entries.append(Entry(bytes: frame, ephemeral: ephemeral))
            state.bytes += size
            if ephemeral { state.ephemeralCount += 1 }
            return (true, Self.wakeConsumer(&state))
        }
        if let (continuation, item) = wake { continuation.resume(returning: item) }
        closingWaiter?.resume()
        if overflowed { onOverflow() }
        return accepted
    }

    /// Asks the transport to close with `code` after the frames already queued.
    public func close(_ code: CloseCode, reason: String) {
        let (wake, closingWaiter) = state.withLock {
            state -> ((CheckedContinuation<Item?, Never>, Item)?, CheckedContinuation<Void, Never>?) in
            guard state.closing == nil else { return (nil, nil) }
            state.closing = (code, reason)
            return (Self.wakeConsumer(&state), state.closingWaiter.take())
        }
        if let (continuation, item) = wake { continuation.resume(returning: item) }
        closingWaiter?.resume()
    }

    /// Returns once the outbox overflowed or was asked to close, or when the task is cancelled.
    ///
    /// A transport whose write is stuck behind a client that stopped reading uses it to hang up
    /// after a grace period instead of waiting for the client forever. One waiter at a time.
    public func waitUntilClosing() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.closing != nil || state.closingWaiterCancelled { return true }
                    precondition(state.closingWaiter == nil, "SessionOutbox has a single closing waiter")
                    state.closingWaiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                state.closingWaiterCancelled = true
                return state.closingWaiter.take()
            }
            waiter?.resume()
        }
    }

    /// Whether the outbox overflowed or was asked to close.
    public var isClosing: Bool { state.withLock { $0.closing != nil } }

    /// How many ephemeral frames were dropped because the client read too slowly.
    public var droppedEphemeralCount: Int { state.withLock { $0.droppedEphemeral } }

    /// The next batch of frames, or the close; nil after the close was handed out.
    public func next() async -> Item? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Item?, Never>) in
            let immediate: Item?? = state.withLock { state in
                if let item = Self.take(&state) { return .some(item) }
                if state.closeDelivered { return .some(nil) }
                precondition(state.consumer == nil, "SessionOutbox has a single consumer")
                state.consumer = continuation
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    /// Removes what the consumer should do next, if anything is ready.
    private static func take(_ state: inout State) -> Item? {
        if !state.entries.isEmpty {
            let frames = state.entries.map(\.bytes)
            state.entries.removeAll(keepingCapacity: true)
            state.bytes = 0
            state.ephemeralCount = 0
            return .frames(frames)
        }
        if let (code, reason) = state.closing, !state.closeDelivered {
            state.closeDelivered = true
            return .close(code, reason)
        }
        return nil
    }

    private static func wakeConsumer(_ state: inout State) -> (CheckedContinuation<Item?, Never>, Item)? {
        guard let consumer = state.consumer, let item = take(&state) else { return nil }
        state.consumer = nil
        return (consumer, item)
    }
}
