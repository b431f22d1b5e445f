import ChatCore
import ChatStore
import Testing

/// Pruning (`MessageRetention`) on memory, SQLite and PostgreSQL alike: a prefix of the seq
/// stream goes, in bounded batches; what the rest carries of it goes too; seqs go on.
@Suite("MessageRetention conformance", .timeLimit(.minutes(2)))
struct RetentionConformanceTests {
    static let now = ChatClock.wallMillis()
    static let old = now - 10 * 86_400_000

    static func draft(
        _ conversation: Conversation, from: String = "alice", text: String, cid: String, at timestamp: Int64,
        update: MessageUpdate? = nil, replyTo: Int64? = nil
    ) -> MessageDraft {
        MessageDraft(
            conversation: conversation, from: from, text: text, clientID: cid, timestamp: timestamp, update: update,
            replyTo: replyTo)
    }

    @Test(
        "pruning removes the old prefix in batches, empties quotes and edit texts of pruned messages, keeps seqs going",
        arguments: await StoreKind.available)
    func prunesOldPrefix(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                let retention = try #require(store as? any MessageRetention)
                let room = Conversation.room("archive")
                // 1–5 old, 6 new, 7 old again (a clock step), 8 replies to 3, 9 edits 2, 10 reacts to 4.
                for n in 1...5 {
                    _ = try await store.append(
                        Self.draft(room, text: "old zebra \(n)", cid: "o\(n)", at: Self.old + Int64(n)))
                }
                _ = try await store.append(Self.draft(room, text: "new", cid: "n6", at: Self.now))
                _ = try await store.append(Self.draft(room, text: "stepped back", cid: "o7", at: Self.old))
                _ = try await store.append(
                    Self.draft(room, from: "bob", text: "re", cid: "r8", at: Self.now, replyTo: 3))
                _ = try await store.append(
                    Self.draft(
                        room, text: "", cid: "e9", at: Self.now,
                        update: MessageUpdate(.edit, seq: 2, text: "secret edit")))
                _ = try await store.append(
                    Self.draft(
                        room, from: "bob", text: "", cid: "x10", at: Self.now,
                        update: MessageUpdate(.react, seq: 4, emoji: "👍", on: true)))
                #expect(try await store.messages(in: room, after: 7, limit: 1).first?.replyTo?.text == "old zebra 3")

                let cutoff = Self.now - 86_400_000
                let preview = try await retention.prunePreview(before: cutoff, room: "ARCHIVE")
                #expect(preview == [PrunePreview(conversation: room, count: 5, throughSeq: 5)])
                #expect(try await retention.prunePreview(before: cutoff, room: "elsewhere").isEmpty)

                var batches: [Int] = []
                while true {
                    let count = try await retention.pruneOldest(of: room, before: cutoff, limit: 2)
                    batches.append(count)
                    if count < 2 { break }
                }
                #expect(batches == [2, 2, 1], "bounded batches, stopping at the first newer message")

                let state = try await store.state(of: room)
                #expect(state.firstAvailableSeq == 6)
                #expect(state.lastSeq == 10)
                let kept = try await store.messages(in: room, after: 0, limit: 100)
                #expect(kept.map(\.seq) == [6, 7, 8, 9, 10], "seq 7 is older, but waits behind 6: no hole")
                #expect(try await store.messages(in: room, before: nil, limit: 100).map(\.seq) == [10, 9, 8, 7, 6])
                let reply = try #require(kept.first { $0.seq == 8 })
                #expect(reply.replyTo?.seq == 3)
                #expect(reply.replyTo?.text == "", "a pruned message's text leaves with it, quotes too")
                let edit = try #require(kept.first { $0.seq == 9 })
                #expect(edit.update?.seq == 2)
                #expect(edit.update?.text == nil, "and the text of its edits")
                #expect(kept.first { $0.seq == 10 }?.update?.emoji == "👍")
                #expect(try await retention.prunePreview(before: cutoff, room: nil).isEmpty)
                #expect(try await retention.pruneOldest(of: room, before: cutoff, limit: 2) == 0)

                // Replying to, editing or reacting to a pruned message: no such message.
                await #expect(throws: StoreError.self) {
                    _ = try await store.append(Self.draft(room, text: "late", cid: "late", at: Self.now, replyTo: 2))
                }
                // The stream goes on after the last seq.
                #expect(
                    try await store.append(Self.draft(room, text: "next", cid: "n11", at: Self.now)).message.seq == 11)
                // The search index forgot the pruned texts.
                let page = try await store.search(SearchQuery(terms: SearchTerms(parsing: "zebra"), reader: "alice"))
                #expect(page.hits.isEmpty, "\(page.hits.map(\.message.text))")
            }
        }
    }

    @Test(
        "pruning everything leaves the conversation empty with its last seq; a resume point past it is exact",
        arguments: await StoreKind.available)
    func prunesEverything(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                let retention = try #require(store as? any MessageRetention)
                let dm = Conversation.direct(between: "alice", and: "bob")
                for n in 1...3 { _ = try await store.append(Self.draft(dm, text: "d\(n)", cid: "d\(n)", at: Self.old)) }
                #expect(try await retention.pruneOldest(of: dm, before: Self.now, limit: 500) == 3)
                let state = try await store.state(of: dm)
                #expect(state.lastSeq == 3)
                #expect(state.firstAvailableSeq == 4)
                #expect(try await store.messages(in: dm, after: 0, limit: 10).isEmpty)
                #expect(try await store.append(Self.draft(dm, text: "d4", cid: "d4", at: Self.now)).message.seq == 4)
            }
        }
    }

    @Test(
        "pruning empties the texts its messages' edits replaced in the room's moderation log; the entries stay",
        arguments: await StoreKind.available)
    func prunesEditLogTexts(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                let retention = try #require(store as? any MessageRetention)
                _ = try await store.join(room: "Edited", user: "alice", now: Self.now)
                let room = Conversation.room("Edited")
                _ = try await store.append(Self.draft(room, text: "old words", cid: "o1", at: Self.old))
                _ = try await store.append(Self.draft(room, text: "new words", cid: "n2", at: Self.now))
                _ = try await store.append(
                    Self.draft(
                        room, text: "", cid: "e3", at: Self.now, update: MessageUpdate(.edit, seq: 1, text: "older")))
                _ = try await store.append(
                    Self.draft(
                        room, text: "", cid: "e4", at: Self.now, update: MessageUpdate(.edit, seq: 2, text: "newer")))
                var edits = try await store.moderationLog(of: "Edited", limit: 10).filter { $0.action == .edit }
                #expect(edits.map(\.detail) == ["old words", "new words"])

                #expect(try await retention.pruneOldest(of: room, before: Self.now - 86_400_000, limit: 10) == 1)
                edits = try await store.moderationLog(of: "Edited", limit: 10).filter { $0.action == .edit }
                #expect(edits.map(\.seq) == [1, 2])
                #expect(edits.map(\.detail) == ["", "new words"], "only the pruned message's replaced text goes")
            }
        }
    }

    @Test(
        "room retention overrides: set by admins and the operator only, logged, listed with the conversations",
        arguments: await StoreKind.available)
    func roomOverrides(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                let retention = try #require(store as? any MessageRetention)
                try await store.createAccount(Account(name: "owner", passwordHash: "h", createdAt: 1))
                _ = try await store.createRoom(
                    Room(name: "Kept", visibility: .public, creator: "owner", createdAt: Self.now))
                #expect(try await store.role(of: "owner", in: "Kept") == .owner)
                #expect(try await retention.roomRetention(of: "kept") == nil)
                await #expect(throws: RoomStoreError.self) {
                    try await retention.setRoomRetention(3, of: "Kept", by: .user("owner"), now: Self.now)
                }
                try await retention.setRoomRetention(0, of: "kept", by: .serverOperator, now: Self.now)
                #expect(try await retention.roomRetention(of: "KEPT") == 0)
                let log = try await store.moderationLog(of: "Kept", limit: 10)
                #expect(log.last?.action == .retention)
                #expect(log.last?.detail == "0")
                await #expect(throws: RoomStoreError.self) { _ = try await retention.roomRetention(of: "nowhere") }

                _ = try await store.append(Self.draft(.room("Kept"), text: "k", cid: "k1", at: Self.old))
                _ = try await store.append(Self.draft(.room("plain"), text: "p", cid: "p1", at: Self.old))
                _ = try await store.append(
                    Self.draft(.direct(between: "alice", and: "bob"), text: "d", cid: "d1", at: Self.old))
                let scopes = try await retention.retentionScopes(after: nil, limit: 10)
                #expect(
                    scopes == [
                        RetentionScope(conversation: .direct(between: "alice", and: "bob")),
                        RetentionScope(conversation: .room("Kept"), roomRetentionDays: 0),
                        RetentionScope(conversation: .room("plain")),
                    ])
                // Paged by key.
                let second = try await retention.retentionScopes(after: scopes[0].conversation.key, limit: 1)
                #expect(second == [scopes[1]])

                try await retention.setRoomRetention(nil, of: "Kept", by: .serverOperator, now: Self.now)
                #expect(try await retention.roomRetention(of: "Kept") == nil)
            }
        }
    }
}
