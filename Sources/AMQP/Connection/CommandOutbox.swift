import Synchronization

/// Commands the application submitted from outside the connection's event loop, handed to the
/// loop in batches.
///
/// Why it exists: one `EventLoop.execute` per ack or publish cost a closure, a task and often
/// a wake-up of the event loop per message, which dominated the client's CPU per message in
/// `scripts/amqp/bench`. Here a submitter appends under a lock, and only the one that finds
/// no drain scheduled schedules one, so a burst of acks or publishes costs one hop and leaves
/// in one write and one flush. Order is kept: entries are drained in submission order, and the
/// event loop drains the box before performing a command submitted on the loop itself.
///
/// Bound: the box holds only what was submitted since the last drain, which the event loop
/// runs on its next turn; what callers may submit is bounded by their own windows (confirms
/// outstanding, the channel's prefetch for acks), exactly as with `EventLoop.execute` before.
final class CommandOutbox: Sendable {
    /// One command and the channel it is for.
    struct Entry: Sendable {
        var command: HandlerCommand
        var channel: AMQPChannel
    }

    private struct State {
        var entries: [Entry] = []
        var drainScheduled = false
    }

    private let state = Mutex(State())

    init() {}

    /// Appends an entry; returns true when the caller must schedule a drain on the event loop.
    func append(_ entry: Entry) -> Bool {
        self.state.withLock { state in
            state.entries.append(entry)
            if state.drainScheduled { return false }
            state.drainScheduled = true
            return true
        }
    }

    /// Takes every entry submitted so far, in order; a later `append` schedules a new drain.
    func takeAll() -> [Entry] {
        self.state.withLock { state in
            state.drainScheduled = false
            guard !state.entries.isEmpty else { return [] }
            let entries = state.entries
            state.entries.removeAll(keepingCapacity: true)
            return entries
        }
    }
}
