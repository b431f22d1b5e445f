import ChatCore
import ChatStore
import Testing

/// What every `MessageSearch` promises, run against the in-memory store, SQLite and PostgreSQL.
///
/// Where the backends differ (docs/STORAGE.md, "Search"), each case states the documented
/// behaviour of each: memory matches substrings, SQLite and PostgreSQL whole words or prefixes;
/// SQLite and memory ignore accents, PostgreSQL (`simple`) does not.
@Suite("Search conformance", .timeLimit(.minutes(2)))
struct SearchConformanceTests {
    typealias Store = any DatabaseURL.DurableStore

    static func post(_ store: Store, _ conversation: Conversation, _ text: String, from: String = "alice") async throws
    {
        _ = try await store.append(
            MessageDraft(
                conversation: conversation, from: from, text: text, clientID: "c\(UInt64.random(in: 0...UInt64.max))",
                timestamp: ChatClock.wallMillis()))
    }

    static func search(
        _ store: Store, _ text: String, reader: String? = nil, room: String? = nil, before: SearchCursor? = nil,
        limit: Int = 50
    ) async throws -> SearchPage {
        try await store.search(
            SearchQuery(terms: SearchTerms(parsing: text), reader: reader, room: room, before: before, limit: limit))
    }

    static func texts(
        _ store: Store, _ text: String, reader: String? = nil, room: String? = nil
    ) async throws -> [String] {
        try await search(store, text, reader: reader, room: room).hits.map(\.message.text)
    }

    @Test(
        "words must all match, newest first, with marked snippets; room events never match",
        arguments: await StoreKind.available)
    func matchingAndOrder(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                let lobby = Conversation.room("lobby")
                try await Self.post(store, lobby, "the quick brown fox")
                try await Self.post(store, lobby, "a lazy dog")
                try await Self.post(store, lobby, "Quick lunch, anyone?")
                let topic = RoomEvent(.topic, topic: "quick questions only")
                _ = try await store.append(
                    MessageDraft(
                        conversation: lobby, from: "alice", text: topic.text(by: "alice"), clientID: "event",
                        timestamp: ChatClock.wallMillis(), event: topic))
                #expect(topic.text(by: "alice").lowercased().contains("quick"), "the event's text has the word")

                let quick = try await Self.search(store, "quick")
                #expect(quick.hits.map(\.message.text) == ["Quick lunch, anyone?", "the quick brown fox"])
                #expect(quick.next == nil)
                #expect(quick.hits.map(\.conversation) == [lobby, lobby])
                #expect(quick.hits.map(\.message.seq) == [3, 1])
                #expect(quick.hits.map { $0.snippet.matches } == [["Quick"], ["quick"]])
                #expect(quick.hits[1].snippet.text == "the quick brown fox")
                #expect(try await Self.texts(store, "QUICK brown") == ["the quick brown fox"], "every word, any case")
                #expect(try await Self.texts(store, "quick -lunch") == ["the quick brown fox"])
                #expect(try await Self.texts(store, "quick cat").isEmpty)
                #expect(try await Self.texts(store, "questions").isEmpty, "a room event never matches")
                #expect(try await Self.texts(store, "-quick").isEmpty, "nothing required: nothing found")
            }
        }
    }

    @Test(
        "an edited message is found by its new words only; deleted messages and edit, delete and reaction entries never match",
        arguments: await StoreKind.available)
    func lifecycle(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                let lobby = Conversation.room("lobby")
                func change(_ update: MessageUpdate, cid: String) async throws {
                    _ = try await store.append(
                        MessageDraft(
                            conversation: lobby, from: "alice", text: "", clientID: cid,
                            timestamp: ChatClock.wallMillis(),
                            update: update))
                }
                try await Self.post(store, lobby, "original wording here")
                try await change(MessageUpdate(.edit, seq: 1, text: "revised wording here"), cid: "edit")
                #expect(try await Self.texts(store, "original").isEmpty, "the old words are gone from the index")
                let edited = try await Self.search(store, "revised")
                #expect(edited.hits.map(\.message.seq) == [1])
                #expect(edited.hits.first?.message.text == "revised wording here")
                try await change(MessageUpdate(.react, seq: 1, emoji: "👍", on: true), cid: "react")
                #expect(try await Self.texts(store, "wording") == ["revised wording here"], "entries are no results")

                try await Self.post(store, lobby, "doomed message")
                #expect(try await Self.texts(store, "doomed") == ["doomed message"])
                let doomed = try #require(try await Self.search(store, "doomed").hits.first?.message.seq)
                try await change(MessageUpdate(.delete, seq: doomed), cid: "delete")
                #expect(try await Self.texts(store, "doomed").isEmpty, "a deleted message never matches")
                #expect(try await Self.texts(store, "message").isEmpty)
            }
        }
    }

    @Test("pages follow each other with `next` and never repeat or skip", arguments: await StoreKind.available)
    func paging(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                for n in 1...25 {
                    try await Self.post(store, .room(n % 2 == 0 ? "even" : "odd"), "note number \(n)")
                }
                var seen: [String] = []
                var cursor: SearchCursor?
                var pages = 0
                repeat {
                    let page = try await Self.search(store, "note", before: cursor, limit: 10)
                    seen += page.hits.map(\.message.text)
                    cursor = page.next
                    pages += 1
                } while cursor != nil && pages < 10
                #expect(pages == 3)
                #expect(seen == (1...25).reversed().map { "note number \($0)" }, "newest first over every room")
                let odd = try await Self.search(store, "note", room: "ODD", limit: 100)
                #expect(odd.hits.count == 13, "room= keeps to one room, any spelling")
                #expect(odd.hits.allSatisfy { $0.conversation == .room("odd") })
            }
        }
    }

    @Test(
        "only what the reader may read: public rooms, their private rooms and DMs; admins every room; never a count",
        arguments: await StoreKind.available)
    func privacy(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                for name in ["alice", "bob", "carol", "dave", "erin"] {
                    try await store.createAccount(Account(name: name, passwordHash: "h", createdAt: 1))
                }
                _ = try await store.setAdmin(true, name: "dave")
                _ = try await store.createRoom(
                    Room(name: "Secret", visibility: .private, creator: "alice", createdAt: 1))
                _ = try await store.createRoom(Room(name: "club", visibility: .invite, creator: "alice", createdAt: 1))
                try await store.invite("bob", to: "secret", by: .user("alice"), now: 2)
                _ = try await store.join(room: "secret", user: "bob", now: 3)

                try await Self.post(store, .room("lobby"), "plan beta")
                try await Self.post(store, .room("Secret"), "plan alpha")
                try await Self.post(store, .room("club"), "plan epsilon")
                try await Self.post(store, .direct(between: "alice", and: "bob"), "plan gamma")
                try await Self.post(store, .direct(between: "carol", and: "erin"), "plan delta", from: "erin")
                try await Self.post(store, .room("Secret"), "plan zeta")

                #expect(try await Self.texts(store, "plan") == ["plan beta"], "a guest reads public rooms only")
                #expect(try await Self.texts(store, "plan", reader: "carol") == ["plan delta", "plan beta"])
                #expect(
                    try await Self.texts(store, "plan", reader: "alice")
                        == ["plan zeta", "plan gamma", "plan epsilon", "plan alpha", "plan beta"])
                #expect(
                    try await Self.texts(store, "plan", reader: "bob") == [
                        "plan zeta", "plan gamma", "plan alpha", "plan beta",
                    ],
                    "an invited member reads the private room, not the invite room")
                #expect(
                    try await Self.texts(store, "plan", reader: "dave") == [
                        "plan zeta", "plan epsilon", "plan alpha", "plan beta",
                    ],
                    "an admin reads every room, never others' DMs")
                #expect(try await Self.texts(store, "plan", reader: "carol", room: "secret").isEmpty)
                #expect(try await Self.texts(store, "alpha", room: "Secret").isEmpty)
                #expect(
                    try await Self.texts(store, "plan", reader: "alice", room: "SECRET") == ["plan zeta", "plan alpha"])

                // Hidden rows change nothing a non-member sees, not even whether there is a next page.
                let carol = try await Self.search(store, "plan", reader: "carol", limit: 2)
                #expect(carol.hits.count == 2)
                #expect(carol.next == nil)
                let guest = try await Self.search(store, "plan", limit: 1)
                #expect(guest.next == nil)

                let dm = try #require(try await Self.search(store, "gamma", reader: "bob").hits.first)
                #expect(dm.conversation == .direct(between: "alice", and: "bob"))

                try await store.ban("bob", from: "secret", until: nil, reason: "", by: .user("alice"), now: 4)
                #expect(
                    try await Self.texts(store, "plan", reader: "bob") == ["plan gamma", "plan beta"], "a ban ends it")
            }
        }
    }

    @Test("quoted words match as a phrase, in order", arguments: await StoreKind.available)
    func phrases(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                try await Self.post(store, .room("food"), "New York pizza")
                try await Self.post(store, .room("food"), "york is new")
                try await Self.post(store, .room("food"), "new-york style")
                #expect(try await Self.texts(store, "\"new york\"") == ["new-york style", "New York pizza"])
                #expect(try await Self.texts(store, "new york").count == 3)
                #expect(try await Self.texts(store, "pizza -\"new york\"").isEmpty)
                #expect(try await Self.texts(store, "\"york new\"").isEmpty)
                let unbalanced = try await Self.texts(store, "\"york is")
                #expect(unbalanced == ["york is new"], "an unclosed quote ends at the end")
            }
        }
    }

    @Test(
        "a trailing * is a prefix; a bare word is a whole word except in memory (substrings)",
        arguments: await StoreKind.available)
    func prefixes(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                try await Self.post(store, .room("work"), "meeting tomorrow")
                try await Self.post(store, .room("work"), "we meet at noon")
                #expect(try await Self.texts(store, "meet*") == ["we meet at noon", "meeting tomorrow"])
                #expect(try await Self.texts(store, "\"meeting tom\"*") == ["meeting tomorrow"])
                let bare = try await Self.texts(store, "meet")
                #expect(bare == (kind == .memory ? ["we meet at noon", "meeting tomorrow"] : ["we meet at noon"]))
                #expect(try await Self.texts(store, "eeting").count == (kind == .memory ? 1 : 0))
            }
        }
    }

    @Test(
        "case is ignored everywhere; accents by SQLite and memory, not by PostgreSQL (simple)",
        arguments: await StoreKind.available)
    func accents(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                try await Self.post(store, .room("paris"), "Le CAFÉ crème")
                #expect(try await Self.texts(store, "café") == ["Le CAFÉ crème"])
                #expect(try await Self.texts(store, "CRÈME") == ["Le CAFÉ crème"])
                let folded = try await Self.texts(store, "cafe creme")
                #expect(folded == (kind == .postgres ? [] : ["Le CAFÉ crème"]))
                let hit = try #require(try await Self.search(store, kind == .postgres ? "café*" : "cafe*").hits.first)
                #expect(hit.snippet.matches == ["CAFÉ"])
            }
        }
    }

    @Test(
        "CJK: a run without spaces is one word (prefix search finds it) except in memory; emoji are not searched",
        arguments: await StoreKind.available)
    func cjkAndEmoji(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                try await Self.post(store, .room("asia"), "我们明天开会")
                try await Self.post(store, .room("asia"), "東京 タワー")
                try await Self.post(store, .room("asia"), "party 🎉 tonight")
                #expect(try await Self.texts(store, "東京") == ["東京 タワー"])
                #expect(try await Self.texts(store, "タワー") == ["東京 タワー"])
                #expect(try await Self.texts(store, "我们*") == ["我们明天开会"])
                #expect(try await Self.texts(store, "明天") == (kind == .memory ? ["我们明天开会"] : []))
                #expect(try await Self.texts(store, "🎉").isEmpty, "emoji are not words")
                #expect(!SearchTerms(parsing: "🎉").isSearchable)
                let party = try #require(try await Self.search(store, "tonight🎉").hits.first)
                #expect(party.message.text == "party 🎉 tonight")
                #expect(party.snippet.text.contains("🎉"), "the snippet keeps the text as it is")
            }
        }
    }

    @Test(
        "marker characters and markup in a message cannot fake a highlight or vanish",
        arguments: await StoreKind.available)
    func markersInText(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                try await Self.post(store, .room("odd"), "\u{1}fake\u{2} <b>real</b> match")
                let hit = try #require(try await Self.search(store, "match").hits.first)
                #expect(hit.snippet.matches == ["match"])
                #expect(hit.message.text == "\u{1}fake\u{2} <b>real</b> match", "the message itself is verbatim")
                let markup = "match <b>bold</b> <!-- note --> a &amp; b < c > d"
                try await Self.post(store, .room("odd"), markup)
                let html = try #require(try await Self.search(store, "match").hits.first)
                #expect(html.snippet.text == markup, "tags, comments and entities stay text in the snippet")
                #expect(html.snippet.matches == ["match"])
            }
        }
    }
}
