import Synchronization

/// The instant by which an operation must be answered, and the budget it was given (for
/// messages).
///
/// A request (`send`, `join`, `history`, `read`) gets one deadline from the instant its frame
/// arrived on the socket; every store and broker call on its path runs with what is left of it
/// (`run`), so the client hears an answer within the budget whatever a dependency does.
package struct Deadline: Sendable {
    /// When the time is up.
    package let instant: ContinuousClock.Instant
    /// The whole budget, as configured.
    package let budget: Duration

    /// A deadline `budget` from now.
    package init(in budget: Duration) {
        self.init(budget, from: ContinuousClock.now)
    }

    /// A deadline `budget` after `start`: a request's deadline counts from when its frame
    /// arrived on the socket, not from when the hub got to it, so frames queued behind a stuck
    /// one are answered within the budget too (they may find it already spent).
    package init(_ budget: Duration, from start: ContinuousClock.Instant) {
        self.budget = budget
        self.instant = start + budget
    }

    /// Whether the time is up.
    package var hasPassed: Bool { ContinuousClock.now >= instant }

    /// Runs `operation` and returns its result, or throws `DeadlineExceeded` once the deadline
    /// passes, whether or not the operation honours cancellation.
    ///
    /// The operation runs in a task of its own that is cancelled at the deadline and then left
    /// behind: a task group would wait for a child that ignores cancellation, and the calls this
    /// guards are exactly the ones that may never return (postgres-nio 1.33 never completes a
    /// query written to a connection whose channel already closed). The caller's cancellation
    /// ends the wait at once, too.
    ///
    /// - Parameters:
    ///   - operation: what is called, for the error (`"store append"`).
    ///   - timer: the sleeper that fires the deadline; tests pass their own so that what other
    ///     tests arm on the shared one cannot disturb what they count.
    ///   - body: the call.
    /// - Throws: `DeadlineExceeded`, `CancellationError`, or what `body` throws.
    package func run<T: Sendable>(
        _ operation: String, timer: DeadlineTimer = .shared,
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        guard !hasPassed else { throw DeadlineExceeded(operation: operation, budget: budget) }
        let race = Race<T>(expiry: DeadlineExceeded(operation: operation, budget: budget))
        let work = Task { race.finish(await Self.result(of: body)) }
        // The timer is one shared sleeper (`DeadlineTimer`), not a timer per call: every send
        // arms two and almost always finishes them long before they fire.
        timer.arm(race, at: instant)
        defer {
            // A no-op when the work finished; at the deadline it asks the work to stop.
            work.cancel()
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { race.wait(with: $0) }
        } onCancel: {
            race.finish(.failure(CancellationError()))
        }
    }

    /// Runs `body`, which answers promptly (`AnswersInProcess`), inline when `inline` is true;
    /// otherwise as `run(_:_:)` does. Either way a passed deadline refuses without calling.
    package func run<T: Sendable>(
        _ operation: String, inline: Bool, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        guard inline else { return try await run(operation, body) }
        guard !hasPassed else { throw DeadlineExceeded(operation: operation, budget: budget) }
        return try await body()
    }

    private static func result<T>(of body: @Sendable () async throws -> T) async -> Result<T, any Error> {
        do {
            return .success(try await body())
        } catch {
            return .failure(error)
        }
    }
}

/// The first of the work's result, the deadline and the caller's cancellation to arrive: it
/// resumes the waiting caller exactly once, whichever comes first and whether the caller
/// started waiting before or after.
private final class Race<T: Sendable>: DeadlineTimer.Entry {
    private enum State {
        case running
        case waiting(CheckedContinuation<T, any Error>)
        case finishedEarly(Result<T, any Error>)
        case done
    }

    private let state = Mutex(State.running)
    /// What the caller hears when the deadline passes first.
    private let expiry: DeadlineExceeded

    init(expiry: DeadlineExceeded) {
        self.expiry = expiry
    }

    /// Answered, timed out or cancelled: the timer drops it without firing.
    var isFinished: Bool {
        state.withLock { state in
            switch state {
            case .running, .waiting: false
            case .finishedEarly, .done: true
            }
        }
    }

    func expire() {
        finish(.failure(expiry))
    }

    func wait(with continuation: CheckedContinuation<T, any Error>) {
        let early: Result<T, any Error>? = state.withLock { state in
            switch state {
            case .running:
                state = .waiting(continuation)
                return nil
            case .finishedEarly(let result):
                state = .done
                return result
            case .waiting, .done:
                preconditionFailure("Deadline.Race: wait called twice (state \(state))")
            }
        }
        if let early { continuation.resume(with: early) }
    }

    func finish(_ result: Result<T, any Error>) {
        let waiter: CheckedContinuation<T, any Error>? = state.withLock { state in
            switch state {
            case .running:
                state = .finishedEarly(result)
                return nil
            case .waiting(let continuation):
                state = .done
                return continuation
            case .finishedEarly, .done:
                return nil
            }
        }
        waiter?.resume(with: result)
    }
}

/// A store or broker call that did not answer before its deadline.
///
/// The call may still complete later (a transaction may commit after its caller gave up); the
/// send path is built so that this is harmless (ARCHITECTURE.md, "Ordering").
package struct DeadlineExceeded: Error, Sendable, CustomStringConvertible {
    /// What was called (`"store append"`, `"broker publish"`).
    package var operation: String
    /// The budget of the whole request it was part of.
    package var budget: Duration

    package var description: String { "\(operation) did not answer within \(budget)" }
}
