import Synchronization

/// One timer for every pending `Deadline.run` in the process, instead of one dispatch timer per
/// call.
///
/// Every `send` runs two or three calls under a deadline, and a dispatch timer armed per call
/// cost a `write` to libdispatch's manager thread and a thread switch to wake it: in a profile
/// of the echo benchmark the manager thread's wake-ups were about a ninth of the server's core
/// (5.2 % in the waking `write`, 6.0 % in its own wake-ups; BENCHMARKS.md).
/// Deadlines are nearly always armed in increasing order (arrival + the same budget), so a
/// sorted buffer appended at its end holds them; calls almost always answer long before their
/// deadline, so the finished ones at its head are dropped as new ones are armed. One sleeper
/// waits for the earliest deadline and fires what expired: with a 10 s budget it wakes about
/// once every 10 s, whatever the message rate.
///
/// Bound: an entry leaves by its deadline at the latest (fired, or dropped as finished), so the
/// buffer holds at most the calls armed within one budget: the request rate times the send
/// timeout, and far fewer while calls answer in order.
package final class DeadlineTimer: Sendable {
    /// A deadline's expiry action, armed until it fires or its call finishes.
    package protocol Entry: AnyObject, Sendable {
        /// Whether the call already ended (answered, timed out or cancelled): such an entry
        /// needs no firing and is dropped.
        var isFinished: Bool { get }
        /// Called once the deadline passed, outside the timer's lock.
        func expire()
    }

    private struct Armed {
        var instant: ContinuousClock.Instant
        var entry: any Entry
    }

    private struct State {
        /// Sorted by instant.
        var armed: [Armed] = []
        /// Where `armed` starts: the finished prefix is skipped by index and compacted now and
        /// then, so dropping the head costs no move.
        var head = 0
        /// The current sleeper and the instant it wakes at, if one sleeps. A sleeper that is
        /// no longer the current one ends when it wakes.
        var sleeper: (id: Int, wakesAt: ContinuousClock.Instant)?
        var nextSleeperID = 0

        mutating func dropFinishedHead() {
            while head < armed.count, armed[head].entry.isFinished { head += 1 }
            if head == armed.count {
                armed.removeAll(keepingCapacity: true)
                head = 0
            } else if head > 1024, head * 2 > armed.count {
                armed.removeFirst(head)
                head = 0
            }
        }

        mutating func insert(_ new: Armed) {
            // Almost always at the end; otherwise the first place from the end that keeps order.
            var index = armed.count
            while index > head, armed[index - 1].instant > new.instant { index -= 1 }
            armed.insert(new, at: index)
        }
    }

    private let state = Mutex(State())

    /// The process's timer.
    package static let shared = DeadlineTimer()

    package init() {}

    /// How many entries are armed, finished ones not yet dropped included (for tests).
    package var armedCount: Int { state.withLock { $0.armed.count - $0.head } }

    /// Calls `entry.expire()` at `instant` unless the entry finished by then.
    package func arm(_ entry: any Entry, at instant: ContinuousClock.Instant) {
        let newSleeper: Int? = state.withLock { state in
            state.dropFinishedHead()
            state.insert(Armed(instant: instant, entry: entry))
            if let sleeper = state.sleeper, sleeper.wakesAt <= instant { return nil }
            // No sleeper, or one that wakes too late for this entry: a new one. The late one
            // is no longer current and ends when it wakes.
            state.nextSleeperID += 1
            state.sleeper = (state.nextSleeperID, instant)
            return state.nextSleeperID
        }
        if let newSleeper { sleep(id: newSleeper, until: instant) }
    }

    private func sleep(id: Int, until instant: ContinuousClock.Instant) {
        Task.detached { [self] in
            var wakeAt = instant
            while true {
                try? await Task.sleep(until: wakeAt, clock: .continuous)
                guard let next = self.fireExpired(sleeper: id) else { return }
                wakeAt = next
            }
        }
    }

    /// Fires the entries due now; returns when the sleeper should wake next, or nil when it
    /// should end (nothing is armed, or it is no longer the current sleeper).
    private func fireExpired(sleeper id: Int) -> ContinuousClock.Instant? {
        let now = ContinuousClock.now
        var due: [any Entry] = []
        let next: ContinuousClock.Instant? = state.withLock { state in
            while state.head < state.armed.count, state.armed[state.head].instant <= now {
                let entry = state.armed[state.head].entry
                if !entry.isFinished { due.append(entry) }
                state.head += 1
            }
            state.dropFinishedHead()
            // A sleeper armed for an earlier instant took over: it fires from now on.
            guard state.sleeper?.id == id else { return nil }
            guard state.head < state.armed.count else {
                state.sleeper = nil
                return nil
            }
            let next = state.armed[state.head].instant
            state.sleeper = (id, next)
            return next
        }
        for entry in due { entry.expire() }
        return next
    }
}
