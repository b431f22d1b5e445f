import ChatCore
import ChatStore
import Foundation

/// `rabbitchat bench search`: fills a store with synthetic history (bulk import) and times
/// `MessageSearch` queries of several kinds, printing p50/p95 per kind. A benchmark, not a test:
/// docs/BENCHMARKS.md keeps its results.
///
/// The history is deterministic for a seed: words drawn from a Zipf distribution over a
/// 20,000-word vocabulary, 4 to 16 words a message, 70% in 200 public rooms, 15% in 50 private
/// rooms (the reader is a member of 5), 15% in 520 direct conversations (20 of them the
/// reader's). A store that already holds the messages is searched as it is (no refill).
struct SearchBenchmark {
    var messages: Int
    var queriesPerKind: Int
    var batch: Int
    var seed: UInt64

    static let vocabularySize = 20_000
    static let publicRooms = 200
    static let privateRooms = 50
    static let readerRooms = 5

    /// Deterministic pseudo-random numbers (SplitMix64).
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Pronounceable made-up words, most frequent first.
    static let vocabulary: [String] = {
        let syllables = [
            "ka", "lo", "mi", "ren", "to", "sa", "vi", "nu", "de", "ga", "por", "li", "ze", "tha", "mo", "qui",
        ]
        var random = Random(state: 7)
        var words = Set<String>()
        var ordered: [String] = []
        while ordered.count < vocabularySize {
            let count = Int.random(in: 2...4, using: &random)
            let word = (0..<count).map { _ in syllables.randomElement(using: &random)! }.joined()
            if words.insert(word).inserted { ordered.append(word) }
        }
        return ordered
    }()

    /// Cumulative Zipf weights (s = 1) over the vocabulary's ranks.
    static let cumulative: [Double] = {
        var total = 0.0
        return (1...vocabularySize).map { rank in
            total += 1 / Double(rank)
            return total
        }
    }()

    static func zipfWord(_ random: inout Random) -> String {
        let target = Double.random(in: 0..<cumulative.last!, using: &random)
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] < target { low = mid + 1 } else { high = mid }
        }
        return vocabulary[low]
    }

    func run(store: any DatabaseURL.DurableStore, backend: String) async throws {
        guard let importer = store as? any MessageImport else { throw Failure("this store cannot bulk-import") }
        let held = try await importer.messageCount()
        var fillSeconds: Double?
        if held < messages {
            guard held == 0 else {
                throw Failure("the store holds \(held) messages, fewer than --messages \(messages): use an empty one")
            }
            fillSeconds = try await fill(store: store, importer: importer)
        } else {
            print("search bench: the store already holds \(held) messages; searching them as they are")
        }
        let held2 = try await importer.messageCount()
        try await importer.analyze()
        let rows = try await measure(store: store)
        print("")
        print("backend: \(backend)   messages: \(held2)   queries per kind: \(queriesPerKind)   limit: 20")
        if let fillSeconds {
            print(String(format: "fill: %.0f s (%.0f messages/s)", fillSeconds, Double(messages) / fillSeconds))
        }
        print("")
        print("| query | example | p50 ms | p95 ms | max ms | hits/page |")
        print("|---|---|---:|---:|---:|---:|")
        for row in rows { print(row) }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: Fill

    func fill(store: any DatabaseURL.DurableStore, importer: any MessageImport) async throws -> Double {
        let start = ContinuousClock.now
        for name in ["owner", "reader"] + (0..<20).map({ "u\($0)" }) {
            if try await store.account(named: name) == nil {
                try await store.createAccount(Account(name: name, passwordHash: "-", createdAt: 1))
            }
        }
        for n in 0..<Self.privateRooms {
            _ = try await store.createRoom(
                Room(name: "vault\(n)", visibility: .private, creator: "owner", createdAt: 1))
            if n < Self.readerRooms {
                try await store.invite("reader", to: "vault\(n)", by: .user("owner"), now: 2)
                _ = try await store.join(room: "vault\(n)", user: "reader", now: 3)
            }
        }
        var random = Random(state: seed)
        var seqs: [String: Int64] = [:]
        var pending: [ImportedMessage] = []
        pending.reserveCapacity(batch)
        let base: Int64 = 1_700_000_000_000
        for index in 0..<messages {
            let pick = Double.random(in: 0..<1, using: &random)
            let conversation: Conversation
            var words = (0..<Int.random(in: 4...16, using: &random)).map { _ in Self.zipfWord(&random) }
            if pick < 0.70 {
                conversation = .room("room\(Int.random(in: 0..<Self.publicRooms, using: &random))")
                if Int.random(in: 0..<1_000, using: &random) == 0 {
                    words.insert(contentsOf: ["budget", "review"], at: 1)
                }
            } else if pick < 0.85 {
                conversation = .room("vault\(Int.random(in: 0..<Self.privateRooms, using: &random))")
                if Int.random(in: 0..<100, using: &random) == 0 { words.append("confidential") }
            } else {
                let a = Int.random(in: 0..<20, using: &random)
                let b = Int.random(in: 0..<27, using: &random)
                conversation =
                    b >= 20 || a == b
                    ? .direct(between: "reader", and: "u\(a)") : .direct(between: "u\(a)", and: "u\(b)")
            }
            let key = conversation.key
            let seq = (seqs[key] ?? 0) + 1
            seqs[key] = seq
            let message = StoredMessage(
                id: UUID().uuidString.lowercased(), conversationKey: key, seq: seq, from: "u\(index % 20)",
                text: words.joined(separator: " "), timestamp: base + Int64(index) * 100, clientID: "bench-\(index)")
            pending.append(ImportedMessage(conversation: conversation, message: message))
            if pending.count == batch {
                try await importer.importMessages(pending)
                pending.removeAll(keepingCapacity: true)
                if (index + 1) % (batch * 10) == 0 {
                    FileHandle.standardError.write(Data("search bench: \(index + 1) messages stored\n".utf8))
                }
            }
        }
        if !pending.isEmpty { try await importer.importMessages(pending) }
        return (ContinuousClock.now - start).seconds
    }

    // MARK: Queries

    struct Kind {
        var name: String
        var reader: String?
        var room: String?
        var secondPage = false
        var query: (inout Random) -> String
    }

    var kinds: [Kind] {
        func word(_ ranks: ClosedRange<Int>, _ random: inout Random) -> String {
            Self.vocabulary[Int.random(in: ranks, using: &random) - 1]
        }
        return [
            Kind(name: "common word (rank 1–10), guest") { word(1...10, &$0) },
            Kind(name: "medium word (rank 100–300), guest") { word(100...300, &$0) },
            Kind(name: "rare word (rank 5,000–20,000), guest") { word(5_000...20_000, &$0) },
            Kind(name: "two words (common AND medium), guest") { word(1...10, &$0) + " " + word(100...300, &$0) },
            Kind(name: "phrase \"budget review\" (0.07% of messages), guest") { _ in "\"budget review\"" },
            Kind(name: "prefix of 3 letters (medium word), guest") { String(word(100...300, &$0).prefix(3)) + "*" },
            Kind(name: "common word, member of 5 private rooms and 20 DMs", reader: "reader") { word(1...10, &$0) },
            Kind(name: "medium word in one room (room=room7), guest", room: "room7") { word(100...300, &$0) },
            Kind(name: "common word, second page (before=next)", secondPage: true) { word(1...10, &$0) },
            Kind(name: "word only in private rooms (1,500 rows), guest: 0 hits") { _ in "confidential" },
        ]
    }

    func measure(store: any DatabaseURL.DurableStore) async throws -> [String] {
        var random = Random(state: seed ^ 0xABCD)
        var rows: [String] = []
        for kind in kinds {
            // One untimed query first: the first touch of an index reads it from disk.
            _ = try await store.search(
                SearchQuery(terms: SearchTerms(parsing: kind.query(&random)), reader: kind.reader, limit: 20))
            var durations: [Double] = []
            var hits = 0
            var example = ""
            for _ in 0..<queriesPerKind {
                let text = kind.query(&random)
                example = text
                var query = SearchQuery(
                    terms: SearchTerms(parsing: text), reader: kind.reader, room: kind.room, limit: 20)
                if kind.secondPage {
                    query.before = try await store.search(query).next
                }
                let start = ContinuousClock.now
                let page = try await store.search(query)
                durations.append((ContinuousClock.now - start).seconds * 1_000)
                hits += page.hits.count
            }
            durations.sort()
            func percentile(_ p: Double) -> Double {
                durations[min(durations.count - 1, Int(Double(durations.count) * p))]
            }
            func ms(_ value: Double) -> String { String(format: "%.1f", value) }
            rows.append(
                "| \(kind.name) | `\(example)` | \(ms(percentile(0.5))) | \(ms(percentile(0.95))) | "
                    + "\(ms(durations.last ?? 0)) | \(ms(Double(hits) / Double(queriesPerKind))) |")
        }
        return rows
    }
}

extension Duration {
    fileprivate var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
