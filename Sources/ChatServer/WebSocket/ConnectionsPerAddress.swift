import Synchronization

/// Counts open connections per client IP address, to refuse one address hogging the server.
///
/// `tryAcquire` and `release` pair up around each connection; an address whose count drops to
/// zero is forgotten, so the table holds only addresses with open connections.
final class ConnectionsPerAddress: Sendable {
    private let limit: Int
    private let counts = Mutex<[String: Int]>([:])

    /// - Parameter limit: most connections one address may hold at once.
    init(limit: Int) {
        self.limit = limit
    }

    /// Whether `address` may open one more connection, without taking it.
    func hasRoom(for address: String) -> Bool {
        counts.withLock { ($0[address] ?? 0) < limit }
    }

    /// Takes one connection slot of `address`; false when it already holds `limit`.
    func tryAcquire(_ address: String) -> Bool {
        counts.withLock { counts in
            let current = counts[address] ?? 0
            guard current < limit else { return false }
            counts[address] = current + 1
            return true
        }
    }

    /// Gives back a slot taken by `tryAcquire`.
    func release(_ address: String) {
        counts.withLock { counts in
            guard let current = counts[address] else { return }
            counts[address] = current > 1 ? current - 1 : nil
        }
    }
}
