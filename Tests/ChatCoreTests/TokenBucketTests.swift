import ChatCore
import Testing

/// The token bucket as a plain value, driven by an explicit clock.
@Suite("TokenBucket")
struct TokenBucketTests {
    /// Takes a token at each of `times`, returning which were admitted.
    static func takes(_ bucket: inout TokenBucket, at times: [Int64]) -> [Bool] {
        times.map { bucket.tryTake(nowMillis: $0) }
    }

    @Test("a full bucket admits a burst of its capacity, then refuses")
    func burst() {
        var bucket = TokenBucket(capacity: 3, refillPerSecond: 1, nowMillis: 0)
        let admitted = Self.takes(&bucket, at: [0, 0, 0, 0])
        #expect(admitted == [true, true, true, false])
    }

    @Test("tokens come back at the refill rate, never above the capacity")
    func refill() {
        var bucket = TokenBucket(capacity: 2, refillPerSecond: 4, nowMillis: 1_000)
        // Two from the burst; 0.4 tokens after 100 ms; 1 token after 250 ms; then empty.
        let admitted = Self.takes(&bucket, at: [1_000, 1_000, 1_100, 1_250, 1_250])
        #expect(admitted == [true, true, false, true, false])
        bucket.refill(nowMillis: 60_000)
        #expect(bucket.tokens == 2, "an idle minute refills only up to the capacity")
    }

    @Test("a clock that steps backwards adds no tokens")
    func backwardsClock() {
        var bucket = TokenBucket(capacity: 1, refillPerSecond: 10, nowMillis: 5_000)
        // The step back to 1000 neither refills nor moves the reference time.
        let admitted = Self.takes(&bucket, at: [5_000, 1_000, 5_050, 5_100])
        #expect(admitted == [true, false, false, true])
    }

    @Test("giveBack returns a token, capped at the capacity; a zero rate never refills")
    func giveBack() {
        var bucket = TokenBucket(capacity: 1, refillPerSecond: 0, nowMillis: 0)
        let first = Self.takes(&bucket, at: [0])
        bucket.giveBack()
        bucket.giveBack()
        #expect(bucket.tokens == 1)
        let later = Self.takes(&bucket, at: [10, 10_000])
        #expect(first + later == [true, true, false])
    }
}
