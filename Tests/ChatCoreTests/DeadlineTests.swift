import Synchronization
import Testing

@testable import ChatCore

@Suite("Deadline: store and broker calls that never answer")
struct DeadlineTests {
    /// A call that ignores cancellation and returns only when the test lets it.
    final class StuckCall: Sendable {
        private let waiter = Mutex<CheckedContinuation<Int, Never>?>(nil)
        private let released = Mutex(false)

        func call() async -> Int {
            await withCheckedContinuation { continuation in
                let resumeNow = released.withLock { released in
                    if !released { waiter.withLock { $0 = continuation } }
                    return released
                }
                if resumeNow { continuation.resume(returning: 7) }
            }
        }

        func release() {
            released.withLock { $0 = true }
            waiter.withLock { $0.take() }?.resume(returning: 7)
        }
    }

    @Test("returns what the call returns when it answers in time")
    func answersInTime() async throws {
        // A generous deadline: on a loaded machine the call's task may wait seconds for a thread.
        let value = try await Deadline(in: .seconds(60)).run("quick") { 42 }
        #expect(value == 42)
    }

    @Test("passes the call's own error through")
    func passesErrors() async throws {
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await Deadline(in: .seconds(60)).run("refusing") { () async throws -> Int in throw Refused() }
        }
    }

    @Test("gives up at the deadline on a call that ignores cancellation, and leaves it behind")
    func abandonsStuckCall() async throws {
        let stuck = StuckCall()
        let start = ContinuousClock.now
        await #expect(throws: DeadlineExceeded.self) {
            try await Deadline(in: .milliseconds(300)).run("stuck call") { await stuck.call() }
        }
        let waited = ContinuousClock.now - start
        #expect(waited >= .milliseconds(300))
        // The call returns only when released, below: being answered at all proves the
        // deadline; the bound is loose because a loaded 2-core machine delays the timer's thread.
        #expect(waited < .seconds(30), "the caller is answered at the deadline, not when the call returns")
        stuck.release()
    }

    @Test("a deadline that has passed refuses without calling")
    func passedDeadline() async throws {
        let deadline = Deadline(in: .zero)
        let called = Mutex(false)
        await #expect(throws: DeadlineExceeded.self) {
            try await deadline.run("late call") { called.withLock { $0 = true } }
        }
        #expect(!called.withLock { $0 })
    }

    @Test("the caller's cancellation ends the wait at once")
    func callerCancelled() async throws {
        let stuck = StuckCall()
        let task = Task { try await Deadline(in: .seconds(300)).run("stuck call") { await stuck.call() } }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        let start = ContinuousClock.now
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        // Far below the 300 s deadline; not tight (at load 13 "at once" once took 5.8 s).
        #expect(ContinuousClock.now - start < .seconds(60))
        stuck.release()
    }
}
