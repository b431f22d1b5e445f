/// Shares one store read among every request for the same key that arrives while it is queued.
///
/// A burst of joins of one room (a class starting, a node restarting and its clients coming
/// back) would read the same recent messages once per client. Here the first request starts a
/// read; requests that arrive while it runs wait for the *next* read, which starts when it ends
/// and serves all of them at once. A request is never served by a read that started before it
/// was made: a joiner's live stream holds the messages published after it entered the room, and
/// its backlog must be read after that, or a message published in between would be in neither.
///
/// Bounded without a limit of its own: a session waits here at most once per room it is joining,
/// so the waiters are at most sessions × `maxRoomsPerSession`.
struct ReadCoalescer<Key: Hashable, Waiter> {
    private struct Entry {
        /// Served by the read in flight.
        var current: [Waiter]
        /// Served by the next read.
        var next: [Waiter] = []
    }

    private var entries: [Key: Entry] = [:]

    /// Records a request.
    ///
    /// - Returns: whether to start a read for `key` now (none was in flight).
    mutating func request(_ key: Key, _ waiter: Waiter) -> Bool {
        if entries[key] == nil {
            entries[key] = Entry(current: [waiter])
            return true
        }
        entries[key]!.next.append(waiter)
        return false
    }

    /// The read for `key` ended.
    ///
    /// - Returns: the waiters it serves, and whether to start the next read at once (for those
    ///   who asked meanwhile).
    mutating func completed(_ key: Key) -> (served: [Waiter], startNext: Bool) {
        guard let entry = entries[key] else { return ([], false) }
        if entry.next.isEmpty {
            entries[key] = nil
            return (entry.current, false)
        }
        entries[key] = Entry(current: entry.next)
        return (entry.current, true)
    }

    /// The number of keys with a read in flight.
    var inFlight: Int { entries.count }

    /// The number of requests waiting, for the read in flight or the next.
    var waiting: Int { entries.values.reduce(0) { $0 + $1.current.count + $1.next.count } }
}
