/// The requests this node forwarded and not yet saw answered, as a value type.
///
/// Each transition returns what the cluster must do, so the bookkeeping (capacity, deadlines,
/// the one owner allowed to answer) is tested without a broker.
struct ForwardingTable {
    struct Entry {
        let session: String
        let streams: RelayStreams
        /// Refreshed by every reply: the acceptance timeout first, then the idle timeout.
        var deadline: ContinuousClock.Instant
        /// The node that accepted the request; replies from any other node are ignored.
        var owner: String?
    }

    enum AdmitAction: Equatable {
        case admitted
        /// `capacity` requests are in flight.
        case overloaded
    }

    enum ReplyAction {
        /// Hand the reply to these streams.
        case deliver(RelayStreams)
        /// The request is unknown (finished, aborted or expired): drop the reply.
        case unknown
        /// Another node already accepted it: two nodes own the session.
        case otherOwner(String)
    }

    let capacity: Int
    private(set) var entries: [String: Entry] = [:]

    init(capacity: Int) {
        self.capacity = capacity
    }

    mutating func admit(
        _ id: String, session: String, streams: RelayStreams, deadline: ContinuousClock.Instant
    ) -> AdmitAction {
        guard entries.count < capacity else { return .overloaded }
        entries[id] = Entry(session: session, streams: streams, deadline: deadline)
        return .admitted
    }

    /// A reply from `node` (nil for messages that carry no node); `accepts` for `accepted`.
    mutating func reply(
        _ id: String, from node: String?, accepts: Bool, deadline: ContinuousClock.Instant
    ) -> ReplyAction {
        guard var entry = entries[id] else { return .unknown }
        if let owner = entry.owner, let node, owner != node {
            return .otherOwner(owner)
        }
        if accepts, entry.owner == nil { entry.owner = node }
        entry.deadline = deadline
        entries[id] = entry
        return .deliver(entry.streams)
    }

    /// The streams of a request that RabbitMQ returned (no owner), if still waiting.
    func returned(_ id: String) -> RelayStreams? {
        guard let entry = entries[id], entry.owner == nil else { return nil }
        return entry.streams
    }

    mutating func remove(_ id: String) -> Entry? {
        entries.removeValue(forKey: id)
    }

    /// Removes and returns the requests whose deadline passed.
    mutating func expire(now: ContinuousClock.Instant) -> [(id: String, entry: Entry)] {
        let expired = entries.filter { $0.value.deadline < now }
        for id in expired.keys { entries[id] = nil }
        return expired.map { (id: $0.key, entry: $0.value) }
    }

    /// Removes and returns every request (shutdown).
    mutating func removeAll() -> [Entry] {
        defer { entries.removeAll() }
        return Array(entries.values)
    }

    var count: Int { entries.count }
}
