/// The bindings of one queue, as a trie of pattern words: "is this routing key bound?" costs
/// time in the key's words (and the wildcards met on the way), not in the number of bindings.
///
/// A node binds one user pattern (`user.<nick>.#`) per online user, so a flat list of
/// `TopicPattern`s made every published event cost O(users); with 19,000 users connected that
/// was the in-process broker's hot spot. Semantics are exactly `TopicPattern.matches` (AMQP
/// topic rules: `*` one word, `#` zero or more); a property test compares the two.
struct TopicTrie: Sendable {
    private struct Node: Sendable {
        var children: [String: Node] = [:]
        var isTerminal = false

        var isEmpty: Bool { !isTerminal && children.isEmpty }

        mutating func insert(_ words: ArraySlice<String>) -> Bool {
            guard let first = words.first else {
                defer { isTerminal = true }
                return !isTerminal
            }
            return children[first, default: Node()].insert(words.dropFirst())
        }

        mutating func remove(_ words: ArraySlice<String>) -> Bool {
            guard let first = words.first else {
                defer { isTerminal = false }
                return isTerminal
            }
            guard children[first] != nil else { return false }
            let removed = children[first]!.remove(words.dropFirst())
            if children[first]!.isEmpty { children[first] = nil }
            return removed
        }

        func matches(_ key: [Substring], from index: Int) -> Bool {
            if let hash = children["#"] {
                // `#` absorbs zero or more words.
                for next in index...key.count where hash.matches(key, from: next) { return true }
            }
            guard index < key.count else { return isTerminal }
            if let child = children[String(key[index])], child.matches(key, from: index + 1) { return true }
            if let star = children["*"], star.matches(key, from: index + 1) { return true }
            return false
        }
    }

    private var root = Node()
    /// How many patterns are bound.
    private(set) var count = 0

    /// Binds `pattern`; false when it was already bound.
    @discardableResult
    mutating func insert(_ pattern: String) -> Bool {
        let inserted = root.insert(Self.words(pattern))
        if inserted { count += 1 }
        return inserted
    }

    /// Unbinds `pattern`; false when it was not bound.
    @discardableResult
    mutating func remove(_ pattern: String) -> Bool {
        let removed = root.remove(Self.words(pattern))
        if removed { count -= 1 }
        return removed
    }

    /// Whether any bound pattern routes `routingKey`.
    func matches(_ routingKey: String) -> Bool {
        guard count > 0 else { return false }
        return root.matches(routingKey.split(separator: ".", omittingEmptySubsequences: false), from: 0)
    }

    private static func words(_ pattern: String) -> ArraySlice<String> {
        pattern.split(separator: ".", omittingEmptySubsequences: false).map(String.init)[...]
    }
}
