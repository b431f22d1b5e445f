/// The node's rules for what a client may send, and when a silent client is closed.
///
/// Every inbound frame of every transport is charged to its connection's allowance and to its
/// user's (over all their sessions on this node), so the policy is the same on /ws and SockJS.
/// A frame over either limit is refused with `rate_limited`; a connection that keeps flooding
/// (more refusals than `InboundLimits.refusalsBeforeClose`, refilled at one per second) is
/// closed with 1008. The policy reads no clock: every call passes the time, so the `Hub`'s
/// injected clock drives it and tests can drive it by hand.
struct InboundPolicy {
    /// What happens to one inbound frame.
    enum Admission: Equatable {
        /// Handle it.
        case admit
        /// Answer it with a `rate_limited` error and drop it.
        case refuse
        /// Drop it and close the connection (1008): it keeps flooding.
        case close
    }

    /// Why a connection must be closed for its silence.
    struct Expiry: Equatable {
        var code: CloseCode
        var reason: String
    }

    let limits: InboundLimits
    /// Inbound frame allowance of each user with a session here.
    private var userBuckets: [String: TokenBucket] = [:]

    init(limits: InboundLimits) {
        self.limits = limits
    }

    /// Charges one inbound frame at `nowMillis` to `allowance` and to `user`'s allowance.
    mutating func admit(_ allowance: inout ConnectionAllowance, user: String?, nowMillis: Int64) -> Admission {
        allowance.lastInboundMillis = nowMillis
        var admitted = allowance.frames.tryTake(nowMillis: nowMillis)
        if admitted, let user {
            var bucket =
                userBuckets[user]
                ?? TokenBucket(
                    capacity: limits.userBurst, refillPerSecond: limits.userFramesPerSecond, nowMillis: nowMillis)
            if !bucket.tryTake(nowMillis: nowMillis) {
                admitted = false
                allowance.frames.giveBack()
            }
            userBuckets[user] = bucket
        }
        if admitted { return .admit }
        return allowance.refusals.tryTake(nowMillis: nowMillis) ? .refuse : .close
    }

    /// The user has no session on this node any more: their next session starts afresh.
    mutating func forget(user: String) {
        userBuckets[user] = nil
    }

    /// Whether a connection must be closed at `nowMillis`: no `hello` within the hello timeout,
    /// or no frame within the idle timeout.
    func expiry(of allowance: ConnectionAllowance, identified: Bool, nowMillis: Int64) -> Expiry? {
        let helloMillis = limits.helloTimeout.wholeMilliseconds
        let idleMillis = limits.idleTimeout.wholeMilliseconds
        if helloMillis > 0, !identified, !allowance.helloReceived, nowMillis - allowance.connectedMillis >= helloMillis
        {
            return Expiry(code: .helloTimeout, reason: "no hello within \(limits.helloTimeout.secondsDescription) s")
        }
        if idleMillis > 0, nowMillis - allowance.lastInboundMillis >= idleMillis {
            return Expiry(code: .idleTimeout, reason: "no frame for \(limits.idleTimeout.secondsDescription) s")
        }
        return nil
    }

    /// The text of a `rate_limited` refusal: both limits, so a client knows what to slow to.
    var refusalMessage: String {
        "too many frames: at most \(limits.connectionFramesPerSecond.compactDescription) per second per connection, \(limits.userFramesPerSecond.compactDescription) per user"
    }
}
