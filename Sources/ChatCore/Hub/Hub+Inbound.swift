import CoreMetrics
import Logging

extension Hub {
    /// How often the hello and idle timeouts are checked.
    static let sessionSweep = Duration.milliseconds(500)

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
        guard let session = membership[id], !session.sink.isClosing else { return false }
        switch inbound.admit(&session.allowance, user: session.user, nowMillis: configuration.clock()) {
        case .admit:
            return true
        case .refuse:
            metrics.rateLimitedFrames.increment()
            let envelope = frame.flatMap { Self.envelope(of: $0) }
            send(
                ErrorFrame(
                    code: .rateLimited, message: inbound.refusalMessage, cid: envelope?.cid, ref: envelope?.type),
                to: id)
            return false
        case .close:
            metrics.rateLimitedFrames.increment()
            logger.notice("closing a flooding session", metadata: ["session": "\(id)"])
            session.sink.close(.policyViolation, reason: "too many frames: rate limit exceeded repeatedly")
            return false
        }
    }

    /// The `type` and `cid` of a refused frame, read without decoding it (nil for anything that
    /// is not a flat JSON object: the refusal then names neither).
    static func envelope(of frame: some Collection<UInt8>) -> (type: String?, cid: String?)? {
        let object =
            frame.withContiguousStorageIfAvailable { FlatJSONObject.parse(UnsafeRawBufferPointer($0)) }
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
        for session in membership.sessions.values where !session.sink.isClosing {
            if let expiry = inbound.expiry(of: session.allowance, identified: session.user != nil, nowMillis: now) {
                session.sink.close(expiry.code, reason: expiry.reason)
            }
        }
    }
}
