/// What one connection may still send, and when it was last heard from.
///
/// Owned by the connection's `SessionState`; `InboundPolicy` charges it for every inbound frame
/// and reads it for the hello and idle timeouts.
struct ConnectionAllowance {
    /// Inbound frame allowance of this connection.
    var frames: TokenBucket
    /// How many more `rate_limited` refusals the connection may collect before it is closed.
    var refusals: TokenBucket
    /// Monotonic time the connection opened (hello timeout), in milliseconds.
    let connectedMillis: Int64
    /// Monotonic time of the last inbound frame (idle timeout), in milliseconds.
    var lastInboundMillis: Int64
    /// Set when a `hello` arrives, before its token or name is checked: the hello timeout is
    /// about the client saying hello, not about how long a loaded account store takes to answer.
    var helloReceived = false

    init(limits: InboundLimits, nowMillis: Int64) {
        self.frames = TokenBucket(
            capacity: limits.connectionBurst, refillPerSecond: limits.connectionFramesPerSecond, nowMillis: nowMillis)
        self.refusals = TokenBucket(capacity: limits.refusalsBeforeClose, refillPerSecond: 1, nowMillis: nowMillis)
        self.connectedMillis = nowMillis
        self.lastInboundMillis = nowMillis
    }
}
