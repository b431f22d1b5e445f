import CoreMetrics
import Logging

extension Hub {
    /// How often the hello and idle timeouts are checked, in milliseconds.
    static let sessionSweepMillis: Int64 = 500

    /// Charges one inbound frame to its connection's and its user's token buckets.
    ///
    /// A frame over the limit is refused with `rate_limited` and not handled; a connection that
    /// keeps flooding (more refusals than `InboundLimits.refusalsBeforeClose`, which refill at
    /// one per second) is closed with 1008. Every transport passes here, so the policy is the
    /// same on /ws and SockJS.
    ///
    /// - Parameters:
    ///   - id: the session.
    ///   - frame: the refused frame's bytes, when it has any: a `send`'s refusal carries its
    ///     `cid` (and every refusal the frame's `type` as `ref`), so the client can match it to
    ///     the message it must resend.
    /// - Returns: whether the frame may be handled.
    func admit(_ id: SessionID, frame: (some Collection<UInt8>)? = [UInt8]?.none) -> Bool {
        guard let session = sessions[id], !session.sink.isClosing else { return false }
        let now = configuration.clock()
        let limits = configuration.inbound
        sessions[id]?.lastInboundMillis = now
        var admitted = sessions[id]!.frameBucket.tryTake(nowMillis: now)
        if admitted, let user = session.user {
            var bucket =
                userBuckets[user]
                ?? TokenBucket(capacity: limits.userBurst, refillPerSecond: limits.userFramesPerSecond, nowMillis: now)
            if !bucket.tryTake(nowMillis: now) {
                admitted = false
                sessions[id]?.frameBucket.giveBack()
            }
            userBuckets[user] = bucket
        }
        if admitted { return true }

        metrics.rateLimitedFrames.increment()
        let envelope = frame.flatMap { Self.envelope(of: $0) }
        guard sessions[id]!.refusalBucket.tryTake(nowMillis: now) else {
            logger.notice("closing a flooding session", metadata: ["session": "\(id)"])
            session.sink.close(.policyViolation, reason: "too many frames: rate limit exceeded repeatedly")
            return false
        }
        send(
            ErrorFrame(
                code: .rateLimited,
                message:
                    "too many frames: at most \(Self.rate(limits.connectionFramesPerSecond)) per second per connection, \(Self.rate(limits.userFramesPerSecond)) per user",
                cid: envelope?.cid, ref: envelope?.type),
            to: id)
        return false
    }

    /// The `type` and `cid` of a refused frame, read without decoding it (nil for anything that
    /// is not a flat JSON object: the refusal then names neither).
    static func envelope(of frame: some Collection<UInt8>) -> (type: String?, cid: String?)? {
        let object = frame.withContiguousStorageIfAvailable { FlatJSONObject.parse(UnsafeRawBufferPointer($0)) }
            ?? Array(frame).withUnsafeBytes { FlatJSONObject.parse($0) }
        guard let object else { return nil }
        func string(_ key: String) -> String? {
            if case .string(let value)? = object[key] { return value }
            return nil
        }
        return (string("type"), string("cid"))
    }

    /// Closes connections that did not say `hello` in time, or went silent for too long.
    func closeExpiredSessions() {
        let now = configuration.clock()
        let limits = configuration.inbound
        let helloMillis = Int64(limits.helloTimeoutSeconds * 1000)
        let idleMillis = Int64(limits.idleTimeoutSeconds * 1000)
        for session in sessions.values where !session.sink.isClosing {
            if helloMillis > 0, session.user == nil, !session.helloReceived,
                now - session.connectedMillis >= helloMillis
            {
                session.sink.close(
                    .helloTimeout, reason: "no hello within \(Self.rate(limits.helloTimeoutSeconds)) s")
            } else if idleMillis > 0, now - session.lastInboundMillis >= idleMillis {
                session.sink.close(
                    .idleTimeout, reason: "no frame for \(Self.rate(limits.idleTimeoutSeconds)) s")
            }
        }
    }

    /// A rate or duration for messages: `20`, not `20.0`.
    static func rate(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
