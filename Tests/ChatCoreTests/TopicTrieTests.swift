import TestSupport
import Testing

@testable import ChatCore

/// The in-process exchange's binding trie must route exactly as `TopicPattern` (and so as
/// RabbitMQ) does: compared over every pattern and key built from a small alphabet.
@Suite("TopicTrie")
struct TopicTrieTests {
    static let words = ["a", "b", "*", "#"]
    static let keyWords = ["a", "b", "c"]

    /// Every dot-joined sequence of `alphabet` words of length 1...`maxLength`.
    static func sequences(_ alphabet: [String], maxLength: Int) -> [String] {
        var result: [[String]] = alphabet.map { [$0] }
        var frontier = result
        for _ in 1..<maxLength {
            frontier = frontier.flatMap { prefix in alphabet.map { prefix + [$0] } }
            result += frontier
        }
        return result.map { $0.joined(separator: ".") }
    }

    @Test("a trie of one pattern matches exactly what the pattern matches")
    func singlePatternsAgree() {
        let keys = Self.sequences(Self.keyWords, maxLength: 4) + [""]
        for pattern in Self.sequences(Self.words, maxLength: 3) {
            var trie = TopicTrie()
            trie.insert(pattern)
            let reference = TopicPattern(pattern)
            for key in keys {
                #expect(trie.matches(key) == reference.matches(key), "pattern \(pattern), key \(key)")
            }
        }
    }

    @Test("many bindings: a key matches when any bound pattern does; removal unbinds")
    func manyPatternsAgree() {
        let patterns = Self.sequences(Self.words, maxLength: 3)
        let keys = Self.sequences(Self.keyWords, maxLength: 4)
        var generator = SplitMix64(seed: 7)
        for _ in 0..<40 {
            var bound = Set<String>()
            var trie = TopicTrie()
            for pattern in patterns where generator.next() % 5 == 0 {
                let inserted = trie.insert(pattern)
                #expect(inserted)
                bound.insert(pattern)
            }
            // Remove a third again, so pruning is exercised too.
            for pattern in bound.sorted() where generator.next() % 3 == 0 {
                let removed = trie.remove(pattern)
                #expect(removed)
                let removedAgain = trie.remove(pattern)
                #expect(!removedAgain)
                bound.remove(pattern)
            }
            #expect(trie.count == bound.count)
            for key in keys {
                let expected = bound.contains { TopicPattern($0).matches(key) }
                #expect(trie.matches(key) == expected, "key \(key), bound \(bound.sorted())")
            }
        }
    }

    @Test("inserting twice binds once")
    func idempotentInsert() {
        var trie = TopicTrie()
        let first = trie.insert("user.alice.#")
        #expect(first)
        let second = trie.insert("user.alice.#")
        #expect(!second)
        #expect(trie.count == 1)
        #expect(trie.matches("user.alice.message"))
        #expect(!trie.matches("user.bob.message"))
        let removed = trie.remove("user.alice.#")
        #expect(removed)
        #expect(!trie.matches("user.alice.message"))
    }
}
