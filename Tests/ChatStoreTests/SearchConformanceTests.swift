import ChatCore
import ChatStore
import Testing

/// What every `MessageSearch` promises, run against the in-memory store, SQLite and PostgreSQL.
///
/// Where the backends differ (docs/STORAGE.md, "Search"), each case states the documented
/// behaviour of each: memory matches substrings, SQLite and PostgreSQL whole words or prefixes.
/// Accents, CJK and emoji match alike everywhere (`SearchTextNormalizer`).
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
                #expect(try await Self.texts(store, "👍").isEmpty, "a reaction's emoji is not a message's text")

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
        "case, accents and width are ignored everywhere (PostgreSQL too)",
        arguments: await StoreKind.available)
    func accents(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                try await Self.post(store, .room("paris"), "Le CAFÉ crème")
                try await Self.post(store, .room("paris"), "ＦＵＬＬ width")
                #expect(try await Self.texts(store, "café") == ["Le CAFÉ crème"])
                #expect(try await Self.texts(store, "CRÈME") == ["Le CAFÉ crème"])
                #expect(try await Self.texts(store, "cafe creme") == ["Le CAFÉ crème"])
                #expect(try await Self.texts(store, "\"le cafe\"") == ["Le CAFÉ crème"])
                #expect(try await Self.texts(store, "full") == ["ＦＵＬＬ width"])
                let hit = try #require(try await Self.search(store, "cafe*").hits.first)
                #expect(hit.snippet.matches == ["CAFÉ"])
                #expect(try await Self.texts(store, "cafe -creme").isEmpty)
            }
        }
    }

    @Test(
        "CJK: any substring of a run is found (pairs), one character too; no match across a space or punctuation",
        arguments: await StoreKind.available)
    func cjk(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                try await Self.post(store, .room("asia"), "我们明天开会")
                try await Self.post(store, .room("asia"), "東京タワーに行きます")
                try await Self.post(store, .room("asia"), "오늘 학교에 갔어요")
                try await Self.post(store, .room("asia"), "明 天见。会议")
                try await Self.post(store, .room("asia"), "hello世界 ok")
                #expect(try await Self.texts(store, "明天") == ["我们明天开会"], "a 2-character word inside a run")
                #expect(try await Self.texts(store, "明天开") == ["我们明天开会"], "3 characters: two pairs in a row")
                #expect(try await Self.texts(store, "我们明天开会") == ["我们明天开会"], "the whole run")
                #expect(try await Self.texts(store, "开会") == ["我们明天开会"], "the end of a run")
                #expect(try await Self.texts(store, "天开会议").isEmpty, "pairs must all be there, in a row")
                #expect(try await Self.texts(store, "会") == ["明 天见。会议", "我们明天开会"], "one character")
                #expect(try await Self.texts(store, "东京").isEmpty, "simplified is not traditional")
                #expect(try await Self.texts(store, "タワー") == ["東京タワーに行きます"], "katakana inside a run")
                #expect(try await Self.texts(store, "東京") == ["東京タワーに行きます"])
                #expect(try await Self.texts(store, "行きます") == ["東京タワーに行きます"], "kanji and hiragana")
                #expect(try await Self.texts(store, "학교") == ["오늘 학교에 갔어요"], "Korean: a word with its particle")
                #expect(try await Self.texts(store, "학교 오늘") == ["오늘 학교에 갔어요"])
                #expect(try await Self.texts(store, "\"오늘 학교\"") == ["오늘 학교에 갔어요"], "a phrase across a space")
                #expect(try await Self.texts(store, "\"오늘 교에\"").isEmpty, "a phrase's inner run is whole")
                #expect(try await Self.texts(store, "世界") == ["hello世界 ok"], "CJK right after Latin letters")
                #expect(try await Self.texts(store, "hello") == ["hello世界 ok"])
                // Runs apart are not a run: no pair spans the space or the full stop.
                #expect(try await Self.texts(store, "明天") == ["我们明天开会"], "not 明 天")
                #expect(try await Self.texts(store, "见会").isEmpty, "not across 。")
                #expect(try await Self.texts(store, "\"明 天\"") == ["明 天见。会议"], "quoted, the space is kept")
                #expect(try await Self.texts(store, "明天 -开会").isEmpty)
                #expect(try await Self.texts(store, "会 -明天") == ["明 天见。会议"])
                let hit = try #require(try await Self.search(store, "明天开").hits.first)
                #expect(hit.snippet.matches == ["明天开"], "the substring is marked, not the whole run")
                #expect(hit.snippet.text == "我们明天开会")
                let one = try #require(try await Self.search(store, "开").hits.first)
                #expect(one.snippet.matches == ["开"])
                let korean = try #require(try await Self.search(store, "학교").hits.first)
                #expect(korean.snippet.matches == ["학교"])
            }
        }
    }

    @Test(
        "emoji are searchable words: alone, with words, any skin tone; an emoji-only query is searchable",
        arguments: await StoreKind.available)
    func emoji(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                try await Self.post(store, .room("fun"), "party 🎉 tonight")
                try await Self.post(store, .room("fun"), "great job👍🏽")
                try await Self.post(store, .room("fun"), "👍")
                try await Self.post(store, .room("fun"), "❤️ it")
                #expect(SearchTerms(parsing: "🎉").isSearchable)
                #expect(try await Self.texts(store, "🎉") == ["party 🎉 tonight"])
                #expect(try await Self.texts(store, "🎉 party") == ["party 🎉 tonight"])
                #expect(try await Self.texts(store, "🎉 -party").isEmpty)
                #expect(try await Self.texts(store, "👍") == ["👍", "great job👍🏽"], "skin tones are the same emoji")
                #expect(try await Self.texts(store, "👍🏿") == ["👍", "great job👍🏽"])
                #expect(try await Self.texts(store, "job👍") == ["great job👍🏽"], "a word and an emoji: a phrase")
                #expect(try await Self.texts(store, "❤️") == ["❤️ it"])
                #expect(try await Self.texts(store, "emoji").isEmpty, "the token's spelling is not a word of the text")
                #expect(try await Self.texts(store, "🎂").isEmpty)
                let party = try #require(try await Self.search(store, "🎉tonight").hits.first)
                #expect(party.message.text == "party 🎉 tonight")
                #expect(party.snippet.text == "party 🎉 tonight", "the snippet keeps the text as it is")
                #expect(party.snippet.matches == ["🎉", "tonight"])
                let thumbs = try #require(try await Self.search(store, "👍").hits.last)
                #expect(thumbs.snippet.matches == ["👍🏽"])
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
