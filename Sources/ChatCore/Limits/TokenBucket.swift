/// A token bucket: up to `capacity` tokens, refilled continuously at `refillPerSecond`; each
/// admitted event takes one.
///
/// It allows a burst of `capacity` events, then a steady `refillPerSecond`. The bucket is a plain
/// value that never reads a clock itself: every call passes the current monotonic time, so the
/// owner decides the clock (the `Hub` injects one) and tests drive it deterministically.
public struct TokenBucket: Sendable, Equatable {
    /// Most tokens the bucket holds: the largest burst it admits.
    public let capacity: Double
    /// Tokens added per second of elapsed time.
    public let refillPerSecond: Double
    /// Tokens available after the last update.
    public private(set) var tokens: Double
    /// Monotonic time of the last update, in milliseconds.
    private var updatedMillis: Int64

    /// A full bucket.
    ///
    /// - Parameters:
    ///   - capacity: the burst size, at least 1.
    ///   - refillPerSecond: the sustained rate, 0 or more.
    ///   - nowMillis: the current monotonic time, in milliseconds.
    public init(capacity: Int, refillPerSecond: Double, nowMillis: Int64) {
        precondition(capacity >= 1, "a token bucket needs a capacity of at least 1, not \(capacity)")
        precondition(refillPerSecond >= 0, "a token bucket cannot refill at \(refillPerSecond) per second")
        self.capacity = Double(capacity)
        self.refillPerSecond = refillPerSecond
        self.tokens = Double(capacity)
        self.updatedMillis = nowMillis
    }

    /// Takes one token if one is available at `nowMillis`.
    ///
    /// - Returns: whether the event is admitted.
    public mutating func tryTake(nowMillis: Int64) -> Bool {
        refill(nowMillis: nowMillis)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Returns a token taken by `tryTake` (when a second bucket refused the same event).
    public mutating func giveBack() {
        tokens = min(capacity, tokens + 1)
    }

    /// Adds the tokens earned since the last update; a clock that went backwards adds none.
    public mutating func refill(nowMillis: Int64) {
        let elapsed = nowMillis - updatedMillis
        guard elapsed > 0 else { return }
        tokens = min(capacity, tokens + Double(elapsed) * refillPerSecond / 1000)
        updatedMillis = nowMillis
    }
}
