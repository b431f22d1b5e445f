/// Reference counts of this node's interest in broker binding patterns.
///
/// Many sessions in one room need one binding: the table says when the first interest appears
/// (bind now) and when the last one goes (unbind now).
public struct BindingTable: Sendable {
    private var counts: [String: Int] = [:]

    public init() {}

    /// Adds one interest in `pattern`; returns true when it is the first (the caller binds).
    public mutating func retain(_ pattern: String) -> Bool {
        counts[pattern, default: 0] += 1
        return counts[pattern] == 1
    }

    /// Removes one interest in `pattern`; returns true when it was the last (the caller unbinds).
    public mutating func release(_ pattern: String) -> Bool {
        guard let count = counts[pattern] else {
            preconditionFailure("released binding \(pattern) that was never retained")
        }
        if count == 1 {
            counts[pattern] = nil
            return true
        }
        counts[pattern] = count - 1
        return false
    }

    /// The number of interests in `pattern`.
    public func count(of pattern: String) -> Int { counts[pattern] ?? 0 }

    /// Every pattern with at least one interest.
    public var patterns: [String] { Array(counts.keys) }
}
