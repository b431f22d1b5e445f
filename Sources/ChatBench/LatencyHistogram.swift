/// A fixed-size histogram of latencies in microseconds, cheap enough to record every delivery.
///
/// Values below 128 µs have exact buckets; above, each power of two is split into 64 buckets
/// (under 1.6 % error). Histograms from several event loops or processes merge by adding counts,
/// which is why a run records buckets rather than raw samples.
package struct LatencyHistogram: Sendable, Codable, Equatable {
    private static let exactBuckets = 128
    private static let subBuckets = 64
    private static let bucketCount = exactBuckets + subBuckets * 57

    package private(set) var counts: [UInt64]
    package private(set) var total: UInt64 = 0
    package private(set) var maxValue: UInt64 = 0
    package private(set) var sum: UInt64 = 0

    package init() {
        counts = Array(repeating: 0, count: Self.bucketCount)
    }

    /// Records one value in microseconds.
    package mutating func record(_ micros: UInt64) {
        counts[Self.index(micros)] &+= 1
        total &+= 1
        sum &+= micros
        if micros > maxValue { maxValue = micros }
    }

    /// Adds every value of `other`.
    package mutating func merge(_ other: LatencyHistogram) {
        for i in 0..<counts.count where other.counts[i] != 0 { counts[i] &+= other.counts[i] }
        total &+= other.total
        sum &+= other.sum
        maxValue = max(maxValue, other.maxValue)
    }

    /// The value at `quantile` (0...1): the upper bound of its bucket, never above the maximum.
    package func value(at quantile: Double) -> UInt64 {
        guard total > 0 else { return 0 }
        let rank = UInt64((Double(total) * quantile).rounded(.up))
        var seen: UInt64 = 0
        for (i, count) in counts.enumerated() where count != 0 {
            seen += count
            if seen >= max(rank, 1) { return min(Self.upperBound(i), maxValue) }
        }
        return maxValue
    }

    /// Mean value in microseconds.
    package var mean: Double { total == 0 ? 0 : Double(sum) / Double(total) }

    static func index(_ value: UInt64) -> Int {
        if value < UInt64(exactBuckets) { return Int(value) }
        let msb = 63 - value.leadingZeroBitCount  // >= 7
        let sub = Int(value >> UInt64(msb - 6)) - subBuckets  // 0..<64
        return exactBuckets + (msb - 7) * subBuckets + sub
    }

    static func upperBound(_ index: Int) -> UInt64 {
        if index < exactBuckets { return UInt64(index) }
        let k = index - exactBuckets
        let msb = k / subBuckets + 7
        let sub = UInt64(k % subBuckets + subBuckets)
        return ((sub + 1) << UInt64(msb - 6)) - 1
    }

    // Sparse coding: most of the buckets are empty.
    private enum CodingKeys: String, CodingKey { case buckets, total, max, sum }

    package init(from decoder: any Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let sparse = try container.decode([[UInt64]].self, forKey: .buckets)
        for pair in sparse where pair.count == 2 && Int(pair[0]) < counts.count { counts[Int(pair[0])] = pair[1] }
        total = try container.decode(UInt64.self, forKey: .total)
        maxValue = try container.decode(UInt64.self, forKey: .max)
        sum = try container.decode(UInt64.self, forKey: .sum)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let sparse = counts.enumerated().filter { $0.element != 0 }.map { [UInt64($0.offset), $0.element] }
        try container.encode(sparse, forKey: .buckets)
        try container.encode(total, forKey: .total)
        try container.encode(maxValue, forKey: .max)
        try container.encode(sum, forKey: .sum)
    }
}
