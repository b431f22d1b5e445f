import ChatCore
import Testing

/// Topic matching must route exactly as a RabbitMQ topic exchange does.
@Suite("TopicPattern")
struct TopicPatternTests {
    @Test(
        "AMQP 0-9-1 spec examples",
        arguments: [
            // The spec: "*.stock.#" matches "usd.stock" and "eur.stock.db" but not "stock.nasdaq".
            ("*.stock.#", "usd.stock", true),
            ("*.stock.#", "eur.stock.db", true),
            ("*.stock.#", "stock.nasdaq", false),
        ])
    func specExamples(pattern: String, key: String, matches: Bool) {
        #expect(TopicPattern(pattern).matches(key) == matches)
    }

    @Test(
        "RabbitMQ tutorial 5 bindings",
        arguments: [
            ("*.orange.*", "quick.orange.rabbit", true),
            ("*.*.rabbit", "quick.orange.rabbit", true),
            ("*.orange.*", "lazy.orange.elephant", true),
            ("lazy.#", "lazy.orange.elephant", true),
            ("*.orange.*", "quick.orange.fox", true),
            ("lazy.#", "lazy.brown.fox", true),
            ("*.*.rabbit", "lazy.pink.rabbit", true),
            ("lazy.#", "lazy.pink.rabbit", true),
            ("*.orange.*", "quick.brown.fox", false),
            ("*.*.rabbit", "quick.brown.fox", false),
            ("lazy.#", "quick.brown.fox", false),
            ("*.orange.*", "orange", false),
            ("*.orange.*", "quick.orange.male.rabbit", false),
            ("*.*.rabbit", "quick.orange.male.rabbit", false),
            ("lazy.#", "lazy.orange.male.rabbit", true),
            ("lazy.#", "lazy", true),
        ])
    func tutorial(pattern: String, key: String, matches: Bool) {
        #expect(TopicPattern(pattern).matches(key) == matches, "\(pattern) vs \(key)")
    }

    @Test(
        "edge cases: # matches zero words, * exactly one, literals exactly",
        arguments: [
            ("#", "", true),
            ("#", "a", true),
            ("#", "a.b.c", true),
            ("*", "", true),  // one empty word, as RabbitMQ treats the empty key
            ("*", "a", true),
            ("*", "a.b", false),
            ("a.#.b", "a.b", true),
            ("a.#.b", "a.x.b", true),
            ("a.#.b", "a.x.y.b", true),
            ("a.#.b", "a.x.y.c", false),
            ("#.b", "b", true),
            ("#.b", "a.b.b", true),
            ("#.#", "a.b", true),
            ("#.*", "", true),
            ("#.*.#", "a", true),
            ("a.*.#", "a", false),
            ("a.*.#", "a.b", true),
            ("room.lobby.#", "room.lobby.msg", true),
            ("room.lobby.#", "room.lobby2.msg", false),
            ("room.lobby.#", "room.lobby", true),
            ("user.bob.#", "user.bobby.msg", false),
            ("cluster.online", "cluster.online", true),
            ("cluster.online", "cluster.onlinex", false),
        ])
    func edgeCases(pattern: String, key: String, matches: Bool) {
        #expect(TopicPattern(pattern).matches(key) == matches, "\(pattern) vs \(key)")
    }
}

@Suite("BindingTable")
struct BindingTableTests {
    @Test("binds on the first interest and unbinds on the last")
    func referenceCounting() {
        var table = BindingTable()
        let first = table.retain("room.a.#")
        let second = table.retain("room.a.#")
        let other = table.retain("room.b.#")
        #expect(first)
        #expect(!second)
        #expect(other)
        #expect(table.count(of: "room.a.#") == 2)
        let notLast = table.release("room.a.#")
        let last = table.release("room.a.#")
        #expect(!notLast)
        #expect(last)
        #expect(table.count(of: "room.a.#") == 0)
        #expect(table.patterns == ["room.b.#"])
    }
}
