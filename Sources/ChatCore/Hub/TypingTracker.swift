/// Typing indicators this node has shown its clients, with their expiry.
///
/// A `start` that is not refreshed within the expiry is turned into a `stop` by the node that
/// shows it, so a client that vanishes mid-sentence never leaves "alice is typing…" behind.
struct TypingTracker: Sendable {
    /// Where an indicator is shown: a room, or the direct conversation seen by `deliverTo`.
    struct Key: Hashable, Sendable {
        var room: String?
        var deliverTo: String?
        var user: String
    }

    private var expiries: [Key: Int64] = [:]

    /// Records a start; returns true if the indicator is new (not a refresh).
    mutating func start(_ key: Key, now: Int64, expiry: Int64) -> Bool {
        expiries.updateValue(now + expiry, forKey: key) == nil
    }

    /// Records a stop; returns true if an indicator was showing.
    mutating func stop(_ key: Key) -> Bool {
        expiries.removeValue(forKey: key) != nil
    }

    /// Removes and returns the indicators that expired at `now`.
    mutating func expire(now: Int64) -> [Key] {
        let expired = expiries.filter { $0.value <= now }.map(\.key)
        for key in expired { expiries[key] = nil }
        return expired
    }

    var isEmpty: Bool { expiries.isEmpty }
}
