public import ChatCore
import Synchronization

/// Token buckets per key (a client address, an account name) that slow password guessing.
///
/// Each key starts with `burst` attempts and regains `perMinute` per minute. The table is
/// bounded: at `maxKeys`, buckets that have refilled completely are forgotten (they carry no
/// information); if none has, new keys are refused, failing closed rather than growing.
public final class AccountRateLimiter: Sendable {
    /// A bucket's shape.
    public struct Rate: Sendable {
        /// Attempts available at once.
        public var burst: Double
        /// Attempts regained per minute.
        public var perMinute: Double

        public init(burst: Double, perMinute: Double) {
            self.burst = burst
            self.perMinute = perMinute
        }
    }

    private struct Bucket {
        var tokens: Double
        var updatedAt: Int64
    }

    private let rate: Rate
    private let maxKeys: Int
    private let buckets = Mutex<[String: Bucket]>([:])

    public init(rate: Rate, maxKeys: Int = 10_000) {
        self.rate = rate
        self.maxKeys = maxKeys
    }

    /// Takes one attempt for `key`; returns nil when allowed, or the seconds until one is.
    public func take(_ key: String, now: Int64 = ChatClock.monotonicMillis()) -> Int? {
        buckets.withLock { buckets in
            var bucket = buckets[key].map { refilled($0, now: now) } ?? Bucket(tokens: rate.burst, updatedAt: now)
            if buckets[key] == nil, buckets.count >= maxKeys {
                buckets = buckets.filter { refilled($0.value, now: now).tokens < rate.burst }
                if buckets.count >= maxKeys { return 60 }
            }
            guard bucket.tokens >= 1 else {
                buckets[key] = bucket
                let perSecond = max(rate.perMinute / 60, 0.0001)
                return max(1, Int(((1 - bucket.tokens) / perSecond).rounded(.up)))
            }
            bucket.tokens -= 1
            buckets[key] = bucket
            return nil
        }
    }

    /// Whether `key` has an attempt left, without taking it: nil when it has, or the seconds
    /// until it will. For limits that count only failures (take after the attempt failed).
    public func peek(_ key: String, now: Int64 = ChatClock.monotonicMillis()) -> Int? {
        buckets.withLock { buckets in
            guard let bucket = buckets[key].map({ refilled($0, now: now) }), bucket.tokens < 1 else { return nil }
            let perSecond = max(rate.perMinute / 60, 0.0001)
            return max(1, Int(((1 - bucket.tokens) / perSecond).rounded(.up)))
        }
    }

    private func refilled(_ bucket: Bucket, now: Int64) -> Bucket {
        let elapsedMinutes = Double(max(0, now - bucket.updatedAt)) / 60_000
        return Bucket(tokens: min(rate.burst, bucket.tokens + elapsedMinutes * rate.perMinute), updatedAt: now)
    }
}
