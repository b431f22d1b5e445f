import ChatCore
import ChatStore
import TestSupport
import Testing

/// `rabbitchat export` and `import` through their code (`HistoryExporter`, `HistoryImporter`):
/// a room's history goes from SQLite to PostgreSQL and back unchanged, with its seqs, epoch,
/// pruned range, room events, edits, tombstones, reactions, replies and mentions.
@Suite("Export and import round trip", .requires(.postgreSQL), .timeLimit(.minutes(2)))
struct ArchiveRoundTripTests {
    static let now = ChatClock.wallMillis()

    static func draft(
        _ conversation: Conversation, from: String = "alice", text: String, cid: String, at timestamp: Int64 = now,
        update: MessageUpdate? = nil, replyTo: Int64? = nil, event: RoomEvent? = nil
    ) -> MessageDraft {
        MessageDraft(
            conversation: conversation, from: from, text: text, clientID: cid, timestamp: timestamp, event: event,
            update: update, replyTo: replyTo)
    }

    /// A room with settings and a history that uses every kind of entry, its first message pruned.
    static func fill(_ store: any ArchivableStore) async throws {
        try await #require(store as? any AccountStore).createAccount(
            Account(name: "owner", passwordHash: "h", createdAt: 1))
        _ = try await store.createRoom(
            Room(name: "Club", topic: "t", visibility: .public, creator: "owner", createdAt: 1_000))
        _ = try await store.updateRoom(named: "Club", topic: nil, visibility: .invite, by: .serverOperator, now: now)
        try await store.setRoomRetention(30, of: "Club", by: .serverOperator, now: now)
        let room = Conversation.room("Club")
        _ = try await store.append(draft(room, text: "ancient", cid: "a1", at: now - 40 * 86_400_000))
        var mention = draft(room, text: "hello @bob \"quoted\" 🐇", cid: "a2")
        mention.mentions = ["bob"]
        _ = try await store.append(mention)
        let topic = RoomEvent(.topic, topic: "new topic")
        _ = try await store.append(draft(room, from: "owner", text: topic.text(by: "owner"), cid: "e3", event: topic))
        _ = try await store.append(draft(room, from: "bob", text: "a reply", cid: "b4", replyTo: 2))
        _ = try await store.append(
            draft(room, text: "", cid: "a5", update: MessageUpdate(.edit, seq: 2, text: "hello @bob, edited")))
        _ = try await store.append(draft(room, text: "regret", cid: "a6"))
        _ = try await store.append(draft(room, text: "", cid: "a7", update: MessageUpdate(.delete, seq: 6)))
        _ = try await store.append(
            draft(room, from: "carol", text: "", cid: "c8", update: MessageUpdate(.react, seq: 4, emoji: "🎉", on: true))
        )
        #expect(try await store.pruneOldest(of: room, before: now - 86_400_000, limit: 500) == 1)
        let dm = Conversation.direct(between: "alice", and: "bob")
        _ = try await store.append(draft(dm, text: "psst", cid: "d1"))
        _ = try await store.append(draft(dm, from: "bob", text: "yes?", cid: "d2"))
    }

    static func export(_ store: any ArchivableStore, room: String? = nil, user: String? = nil) async throws -> [String]
    {
        var lines: [String] = []
        let exporter = HistoryExporter(store: store, pageSize: 3)
        if let room {
            _ = try await exporter.exportRoom(room, now: now) { lines.append($0) }
        } else {
            _ = try await exporter.exportUser(user ?? "", now: now) { lines.append($0) }
        }
        return lines
    }

    static func importLines(_ lines: [String], into store: any ArchivableStore) async throws -> HistoryImporter.Summary
    {
        var iterator = lines.makeIterator()
        return try await HistoryImporter(store: store, batchSize: 2).importLines(now: now) { iterator.next() }
    }

    /// Restored messages are in the search index (their `search_text` is written by the
    /// restore): after the room is made public (memberships are not archived), a guest finds
    /// the edited message by its current words.
    static func expectSearchable(_ store: any ArchivableStore) async throws {
        _ = try await store.updateRoom(named: "club", topic: nil, visibility: .public, by: .serverOperator, now: now)
        let search = try #require(store as? any MessageSearch)
        let found = try await search.search(SearchQuery(terms: SearchTerms(parsing: "edited"), reader: nil))
        #expect(found.hits.map(\.message.seq) == [2], "restored messages are searchable")
    }

    static func archivable(_ store: any DatabaseURL.DurableStore) throws -> any ArchivableStore {
        try #require(store as? any ArchivableStore)
    }

    @Test("a room's history: SQLite → PostgreSQL → SQLite, byte for byte the same export, the same stored rows")
    func roomRoundTrip() async throws {
        try await StoreFixture.with(.sqlite) { source in
            try await StoreFixture.with(.postgres) { middle in
                try await StoreFixture.with(.sqlite) { target in
                    try await source.openRoomStore { sqlite in
                        let sqlite = try Self.archivable(sqlite)
                        try await Self.fill(sqlite)
                        let exported = try await Self.export(sqlite, room: "club")
                        #expect(exported.count == 10, "header, room, conversation, seqs 2…8")
                        let room = Conversation.room("Club")
                        let original = try await sqlite.messages(in: room, after: 0, limit: 100)
                        let originalState = try await sqlite.state(of: room)

                        let reexported = try await middle.openRoomStore { postgres in
                            let postgres = try Self.archivable(postgres)
                            let summary = try await Self.importLines(exported, into: postgres)
                            #expect(summary.conversations == 1)
                            #expect(summary.messages == 7)
                            #expect(summary.roomsCreated == 1)
                            #expect(
                                try await postgres.state(of: room) == originalState, "epoch, last seq and pruned range")
                            #expect(try await postgres.messages(in: room, after: 0, limit: 100) == original)
                            let restored = try #require(try await postgres.room(named: "club"))
                            #expect(restored.visibility == .invite)
                            #expect(restored.topic == "t")
                            #expect(restored.createdAt == 1_000)
                            #expect(try await postgres.roomRetention(of: "club") == 30)
                            let again = try await Self.export(postgres, room: "CLUB")
                            try await Self.expectSearchable(postgres)
                            // The stream goes on where it stopped.
                            #expect(try await postgres.append(Self.draft(room, text: "x", cid: "x9")).message.seq == 9)
                            // An import never merges histories.
                            await #expect(throws: ArchiveError.self) {
                                _ = try await Self.importLines(exported, into: postgres)
                            }
                            return again
                        }
                        #expect(
                            Array(reexported.dropFirst()) == Array(exported.dropFirst()),
                            "the same lines after the header")

                        try await target.openRoomStore { back in
                            let back = try Self.archivable(back)
                            _ = try await Self.importLines(Array(reexported), into: back)
                            #expect(try await back.messages(in: room, after: 0, limit: 100) == original)
                            #expect(try await Self.export(back, room: "Club").dropFirst() == exported.dropFirst())
                            try await Self.expectSearchable(back)
                        }
                    }
                }
            }
        }
    }

    @Test(
        "a user's export: their direct conversations in full, their room messages as authored lines that import skips")
    func userExport() async throws {
        try await StoreFixture.with(.sqlite) { source in
            try await StoreFixture.with(.postgres) { target in
                try await source.openRoomStore { sqlite in
                    let sqlite = try Self.archivable(sqlite)
                    try await Self.fill(sqlite)
                    let lines = try await Self.export(sqlite, user: "bob")
                    let dm = Conversation.direct(between: "alice", and: "bob")
                    #expect(lines.count == 5, "header, the DM and its 2 messages, bob's one room message")
                    try await target.openRoomStore { postgres in
                        let postgres = try Self.archivable(postgres)
                        let summary = try await Self.importLines(lines, into: postgres)
                        #expect(summary.conversations == 1)
                        #expect(summary.messages == 2)
                        #expect(summary.skipped == 1)
                        #expect(
                            try await postgres.messages(in: dm, after: 0, limit: 10)
                                == sqlite.messages(in: dm, after: 0, limit: 10))
                        #expect(try await postgres.messages(in: .room("Club"), after: 0, limit: 10).isEmpty)
                    }
                }
            }
        }
    }

    @Test("an import stops at a hole in a conversation's seqs and names the line")
    func refusesHoles() async throws {
        try await StoreFixture.with(.sqlite) { source in
            try await source.openRoomStore { sqlite in
                let sqlite = try Self.archivable(sqlite)
                try await Self.fill(sqlite)
                var lines = try await Self.export(sqlite, room: "Club")
                lines.remove(at: 5)  // seq 4
                try await StoreFixture.with(.sqlite) { target in
                    try await target.openRoomStore { back in
                        let error = await #expect(throws: ArchiveError.self) {
                            _ = try await Self.importLines(lines, into: try Self.archivable(back))
                        }
                        #expect(error?.description.hasPrefix("line 6:") == true, "\(String(describing: error))")
                    }
                }
            }
        }
    }
}
