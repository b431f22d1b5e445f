/// An AMQP topic-exchange binding pattern, such as `room.lobby.#` or `*.stock.#`.
///
/// Routing keys and patterns are dot-separated words. In a pattern, `*` matches exactly one
/// word and `#` matches zero or more words (AMQP 0-9-1, exchange type "topic").
///
/// This is the reference statement of those rules, kept simple on purpose: the in-process broker
/// routes through `TopicTrie` (fast for many bindings), and the tests check the trie against this
/// type with random patterns and keys, and this type against the cases of RabbitMQ's topic tutorial.
public struct TopicPattern: Hashable, Sendable, CustomStringConvertible {
    /// The pattern as written.
    public let pattern: String
    private let words: [Substring]
    /// True when the pattern has no wildcard, so matching is plain string equality.
    private let isLiteral: Bool

    public init(_ pattern: String) {
        self.pattern = pattern
        self.words = pattern.split(separator: ".", omittingEmptySubsequences: false)
        self.isLiteral = !words.contains { $0 == "*" || $0 == "#" }
    }

    public var description: String { pattern }

    /// Whether a message published with `routingKey` is routed through this binding.
    public func matches(_ routingKey: String) -> Bool {
        if isLiteral { return routingKey == pattern }
        let keyWords = routingKey.split(separator: ".", omittingEmptySubsequences: false)
        return Self.match(words[...], keyWords[...])
    }

    /// Iterative matcher with backtracking to the last `#` (like glob matching), so patterns with
    /// several `#` stay linear in practice and never recurse deeply.
    private static func match(_ pattern: ArraySlice<Substring>, _ key: ArraySlice<Substring>) -> Bool {
        var p = pattern.startIndex
        var k = key.startIndex
        var starP: Int? = nil  // index of the last `#` seen
        var starK = 0  // key index that `#` currently absorbs up to
        while k < key.endIndex {
            if p < pattern.endIndex, pattern[p] == "#" {
                starP = p
                starK = k
                p += 1
            } else if p < pattern.endIndex, pattern[p] == "*" || pattern[p] == key[k] {
                p += 1
                k += 1
            } else if let sp = starP {
                // Let the last `#` absorb one more word and retry.
                p = sp + 1
                starK += 1
                k = starK
            } else {
                return false
            }
        }
        while p < pattern.endIndex, pattern[p] == "#" { p += 1 }
        return p == pattern.endIndex
    }
}
