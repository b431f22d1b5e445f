import NIOCore
import Synchronization

/// The sleep between two recovery attempts, which `nudge()` cuts short.
///
/// A chat node keeps two connections to the same broker (publisher, consumer). When one of them
/// is back, the broker is back: the other should try at once instead of sleeping out its own
/// backoff, or the two recover seconds apart and the node is half-usable meanwhile. One sleeper
/// at a time (the connection's recovery task).
final class RecoveryWakeup: Sendable {
    private struct State {
        /// A nudge that arrived while nobody slept; the next sleep returns at once.
        var nudged = false
        var sleeper: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// Ends the current sleep now, or the next one if nobody sleeps.
    func nudge() {
        let sleeper = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let sleeper = state.sleeper else {
                state.nudged = true
                return nil
            }
            state.sleeper = nil
            return sleeper
        }
        sleeper?.resume()
    }

    /// Forgets a nudge that nobody slept through (a new recovery starts from a clean slate).
    func reset() {
        self.state.withLock { $0.nudged = false }
    }

    /// Sleeps for `delay`, or until nudged or cancelled, whichever comes first.
    func sleep(for delay: TimeAmount) async {
        let nudgedBefore = self.state.withLock { state in
            defer { state.nudged = false }
            return state.nudged
        }
        if nudgedBefore { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(nanoseconds: UInt64(max(delay.nanoseconds, 0))) }
            group.addTask { await self.waitForNudge() }
            await group.next()
            group.cancelAll()
            self.wakeSleeper()
        }
    }

    private func waitForNudge() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                // Cancellation is checked under the lock: a cancel that ran before the sleeper was
                // stored found nothing to wake, so this must not wait.
                let resumeNow = self.state.withLock { state -> Bool in
                    if state.nudged || Task.isCancelled {
                        state.nudged = false
                        return true
                    }
                    state.sleeper = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            self.wakeSleeper()
        }
    }

    private func wakeSleeper() {
        let sleeper = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.sleeper = nil }
            return state.sleeper
        }
        sleeper?.resume()
    }
}
