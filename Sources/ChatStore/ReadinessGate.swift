import ChatCore
import Synchronization

/// Holds queries back until the PostgreSQL store has migrated its schema, then lets them through.
///
/// The `PostgresClient` can only run inside the service group, so migrations happen after the
/// server may already accept connections; a `join` arriving in that window waits here instead of
/// failing on a missing table. Waiters are bounded: past `maxWaiters` a query fails at once as
/// unavailable, and if migrations fail every waiter gets that error.
final class ReadinessGate: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Void, any Error>])
        case open
        case failed(any Error)
    }

    private let state = Mutex(State.waiting([]))
    private let maxWaiters: Int

    init(maxWaiters: Int = 10_000) {
        self.maxWaiters = maxWaiters
    }

    /// Returns once the gate is open; throws if it failed (or is too crowded).
    func wait() async throws {
        enum Fast {
            case open
            case failed(any Error)
            case wait
        }
        let fast: Fast = state.withLock { state in
            switch state {
            case .open: .open
            case .failed(let error): .failed(error)
            case .waiting: .wait
            }
        }
        switch fast {
        case .open: return
        case .failed(let error): throw error
        case .wait: break
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let immediate: Result<Void, any Error>? = state.withLock { state in
                switch state {
                case .open:
                    return .success(())
                case .failed(let error):
                    return .failure(error)
                case .waiting(var waiters):
                    guard waiters.count < maxWaiters else {
                        return .failure(StoreError(.unavailable, "the database is still starting; try again"))
                    }
                    waiters.append(continuation)
                    state = .waiting(waiters)
                    return nil
                }
            }
            if let immediate { continuation.resume(with: immediate) }
        }
    }

    /// Opens the gate for every waiter and every later query.
    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            guard case .waiting(let waiters) = state else { return [] }
            state = .open
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Fails every waiter and every later query with `error`.
    func fail(_ error: any Error) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            guard case .waiting(let waiters) = state else { return [] }
            state = .failed(error)
            return waiters
        }
        for waiter in waiters { waiter.resume(throwing: error) }
    }
}
