import Foundation

/// Runs blocking work (waiting for a child process, reading its output to the end) on a thread
/// of its own instead of the test's.
///
/// Swift Testing runs tests on the cooperative pool, which has one thread per core: two on the
/// CI machine. A test that blocks one of them for seconds (`rabbitmqctl` starts an Erlang VM; a
/// Python script runs for a while) stalls every other test's async work meanwhile, and their
/// bounded deadlines fail for no fault of their own.
public enum BlockingWork {
    /// Runs `body` on a new thread and returns (or throws) what it did.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }
}
