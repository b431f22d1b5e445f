import NIOCore
import Synchronization

/// Flushes the sockets of one event loop once per batch of fan-outs, not once per fan-out.
///
/// A flush is a `writev` system call: in a broadcast it is half the cost of a delivery. While the
/// loop keeps up, each fan-out's sockets are flushed right after it, as before. When fan-outs
/// queue up behind each other (the server is busy), they all write first and one flush task,
/// queued behind them, flushes each socket once: several frames leave in one `writev`. Latency
/// is unchanged when idle and the cost per delivery falls when busy: the adaptive batching that
/// lets a node fall behind gracefully instead of collapsing.
///
/// One per event loop, used only on that loop; a handler looks its loop's up once, when added.
final class FlushCoalescer {
    /// Something with writes to flush.
    protocol Flushable: AnyObject {
        func flushNow()
    }

    /// Every loop's coalescer. A server has a handful of loops, which live as long as it does.
    private static let perLoop = Mutex<[ObjectIdentifier: NIOLoopBound<FlushCoalescer>]>([:])

    /// The coalescer of `eventLoop`; call it on that loop.
    static func of(_ eventLoop: any EventLoop) -> FlushCoalescer {
        eventLoop.preconditionInEventLoop()
        return perLoop.withLock { perLoop in
            let key = ObjectIdentifier(eventLoop)
            // A loop that was shut down may have left its address to a new one: check.
            if let bound = perLoop[key], bound.eventLoop === eventLoop { return bound.value }
            let coalescer = FlushCoalescer(eventLoop: eventLoop)
            perLoop[key] = NIOLoopBound(coalescer, eventLoop: eventLoop)
            return coalescer
        }
    }

    private let eventLoop: any EventLoop
    private var dirty: [any Flushable] = []
    private var flushQueued = false

    private init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Flushes `target` after every task already queued on the loop.
    func flushSoon(_ target: any Flushable) {
        dirty.append(target)
        guard !flushQueued else { return }
        flushQueued = true
        // Thread-confined: the closure runs on this thread, where this coalescer lives.
        let coalescer = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.execute { coalescer.value.flushAll() }
    }

    private func flushAll() {
        flushQueued = false
        let targets = dirty
        dirty.removeAll(keepingCapacity: true)
        for target in targets { target.flushNow() }
    }
}

@available(*, unavailable)
extension FlushCoalescer: Sendable {}
