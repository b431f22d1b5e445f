import ChatCore
import ChatStore
import Testing

/// The behaviour every `MessageStore` promises, run against SQLite, PostgreSQL and memory alike.
@Suite("MessageStore conformance", .timeLimit(.minutes(2)))
struct MessageStoreConformanceTests {
    static func draft(
        _ conversation: Conversation, from: String = "alice", text: String = "hello", cid: String
    ) -> MessageDraft {
        MessageDraft(
            conversation: conversation, from: from, text: text, clientID: cid, timestamp: ChatClock.wallMillis())
    }

    @Test(
        "a room event is stored in the seq stream and read back with its fields, between messages",
        arguments: await StoreKind.available)
    func roomEventsRoundTrip(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.open { store, _ in
                let room = Conversation.room("club")
                _ = try await store.append(Self.draft(room, text: "before", cid: "c1"))
                let ban = RoomEvent(
                    .ban, user: "mallory", reason: "spam, \"quoted\" and ünïcode", until: 1_900_000_000_000)
                var draft = Self.draft(room, text: ban.text(by: "alice"), cid: "event-1")
                draft.event = ban
                let stored = try await store.append(draft)
                #expect(stored.message.seq == 2)
                #expect(stored.message.event == ban)
                _ = try await store.append(Self.draft(room, text: "after", cid: "c2"))
                let read = try await store.messages(in: room, after: 0, limit: 10)
                #expect(read.map(\.seq) == [1, 2, 3])
                #expect(read.map(\.event) == [nil, ban, nil])
                let page = try await store.messages(in: room, before: nil, limit: 10)
                #expect(page.first { $0.seq == 2 }?.event == ban)
                let topic = RoomEvent(.topic, topic: "")
                var topicDraft = Self.draft(room, text: topic.text(by: "alice"), cid: "event-2")
                topicDraft.event = topic
                _ = try await store.append(topicDraft)
                #expect(try await store.messages(in: room, after: 3, limit: 1).first?.event == topic)
            }
        }
    }

    @Test(
        "seq is gap-free under concurrent appends: 4 tasks × 50 appends → exactly 1…200",
        arguments: await StoreKind.available)
    func concurrentAppendsAreGapFree(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.open { store, _ in
                let room = Conversation.room("busy")
                let seqs = try await withThrowingTaskGroup(of: [Int64].self) { group in
                    for writer in 0..<4 {
                        group.addTask {
                            var seqs: [Int64] = []
                            for n in 0..<50 {
                                let result = try await store.append(
                                    Self.draft(room, from: "w\(writer)", text: "m\(n)", cid: "c\(n)"))
                                #expect(!result.duplicate)
                                seqs.append(result.message.seq)
                            }
                            #expect(seqs == seqs.sorted(), "one writer's messages keep their order")
                            return seqs
                        }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
                #expect(seqs.sorted() == Array(1...200))
                let state = try await store.state(of: room)
                #expect(state.lastSeq == 200)
                #expect(state.firstAvailableSeq == 1)
                let stored = try await store.messages(in: room, after: 0, limit: 500)
                #expect(stored.map(\.seq) == Array(1...200))
                #expect(Set(stored.map(\.id)).count == 200, "every message has its own id")
            }
        }
    }

    @Test(
        "200 conversations appending at once (group commit): each append its own answer, conflicts refused alone, seqs gap-free",
        arguments: await StoreKind.available)
    func manyConversationsAtOnce(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.open { store, _ in
                _ = try await store.append(Self.draft(.room("r0"), from: "taken", text: "original", cid: "dup"))
                let outcomes = await withTaskGroup(of: (Int, Result<AppendResult, StoreError>).self) { group in
                    for n in 0..<200 {
                        group.addTask {
                            // Every seventh append reuses a cid for another text: refused, alone.
                            let draft =
                                n % 7 == 0
                                ? Self.draft(.room("r\(n % 20)"), from: "taken", text: "other \(n)", cid: "dup")
                                : Self.draft(.room("r\(n % 20)"), from: "u\(n)", text: "m\(n)", cid: "c\(n)")
                            do {
                                return (n, .success(try await store.append(draft)))
                            } catch let error as StoreError {
                                return (n, .failure(error))
                            } catch {
                                return (n, .failure(StoreError(.unavailable, "\(error)")))
                            }
                        }
                    }
                    return await group.reduce(into: [Int: Result<AppendResult, StoreError>]()) { $0[$1.0] = $1.1 }
                }
                #expect(outcomes.count == 200)
                for (n, outcome) in outcomes {
                    switch outcome {
                    case .success(let result):
                        #expect(n % 7 != 0)
                        #expect(result.message.text == "m\(n)")
                        #expect(result.message.conversationKey == Conversation.room("r\(n % 20)").key)
                    case .failure(let error):
                        #expect(n % 7 == 0 && error.code == .clientIDConflict, "\(n): \(error)")
                    }
                }
                for room in 0..<20 {
                    let stored = try await store.messages(in: .room("r\(room)"), after: 0, limit: 100)
                    let accepted = (0..<200).filter { $0 % 20 == room && $0 % 7 != 0 }.count
                    let expected = Int64(accepted + (room == 0 ? 1 : 0))  // r0 also holds the original
                    #expect(stored.map(\.seq) == Array(Int64(1)...expected), "room r\(room)")
                }
            }
        }
    }

    @Test(
        "an append retried with the same (sender, cid) returns the stored message", arguments: await StoreKind.available
    )
    func appendIsIdempotent(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.open { store, _ in
                let room = Conversation.room("retry")
                let first = try await store.append(Self.draft(room, text: "once", cid: "abc"))
                let again = try await store.append(Self.draft(room, text: "once", cid: "abc"))
                #expect(!first.duplicate)
                #expect(again.duplicate)
                #expect(again.message == first.message)

                // Retries racing each other still store one message.
                let racing = try await withThrowingTaskGroup(of: AppendResult.self) { group in
                    for _ in 0..<8 {
                        group.addTask { try await store.append(Self.draft(room, text: "raced", cid: "race")) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(Set(racing.map(\.message.id)).count == 1)
                #expect(racing.filter { !$0.duplicate }.count == 1)
                #expect(try await store.state(of: room).lastSeq == 2)

                // Another sender may use the same cid.
                let bob = try await store.append(Self.draft(room, from: "bob", text: "once", cid: "abc"))
                #expect(!bob.duplicate)
                #expect(bob.message.seq == 3)
            }
        }
    }

    @Test("a cid reused for a different text or conversation is a conflict", arguments: await StoreKind.available)
    func clientIDConflict(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.open { store, _ in
                _ = try await store.append(Self.draft(.room("a"), text: "first", cid: "x"))
                await #expect(throws: StoreError(.clientIDConflict, "cid x was used for another message")) {
                    _ = try await store.append(Self.draft(.room("a"), text: "second", cid: "x"))
                }
                await #expect(throws: StoreError(.clientIDConflict, "cid x was used for another message")) {
                    _ = try await store.append(Self.draft(.room("b"), text: "first", cid: "x"))
                }
                #expect(try await store.state(of: .room("a")).lastSeq == 1, "a refused append takes no seq")
                #expect(try await store.state(of: .room("b")).lastSeq == 0)
            }
        }
    }

    @Test("pages after a seq are oldest first, pages before a seq newest first", arguments: await StoreKind.available)
    func paging(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.open { store, _ in
                let room = Conversation.room("pages")
                for n in 1...25 { _ = try await store.append(Self.draft(room, text: "m\(n)", cid: "p\(n)")) }
                #expect(try await store.messages(in: room, after: 10, limit: 5).map(\.seq) == [11, 12, 13, 14, 15])
                #expect(try await store.messages(in: room, after: 23, limit: 5).map(\.seq) == [24, 25])
                #expect(try await store.messages(in: room, after: 25, limit: 5).isEmpty)
                #expect(try await store.messages(in: room, before: nil, limit: 5).map(\.seq) == [25, 24, 23, 22, 21])
                #expect(try await store.messages(in: room, before: 21, limit: 5).map(\.seq) == [20, 19, 18, 17, 16])
                #expect(try await store.messages(in: room, before: 3, limit: 10).map(\.seq) == [2, 1])
                #expect(try await store.messages(in: room, before: 1, limit: 10).isEmpty)
                #expect(try await store.messages(in: room, after: 0, limit: 0).isEmpty)
                let page = try await store.messages(in: room, after: 4, limit: 1)
                #expect(page.first?.text == "m5")
                #expect(page.first?.from == "alice")
                #expect(page.first?.clientID == "p5")
                #expect(try await store.messages(in: .room("empty"), before: nil, limit: 10).isEmpty)
            }
        }
    }

    @Test("read positions never move backwards", arguments: await StoreKind.available)
    func readPositionsAreMonotonic(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.open { store, _ in
                let room = Conversation.room("reads")
                for n in 1...8 { _ = try await store.append(Self.draft(room, text: "m\(n)", cid: "r\(n)")) }
                #expect(try await store.readPosition(of: "bob", in: room) == 0)
                #expect(try await store.markRead(user: "bob", in: room, upTo: 5) == 5)
                #expect(try await store.markRead(user: "bob", in: room, upTo: 3) == 5)
                #expect(try await store.markRead(user: "bob", in: room, upTo: 7) == 7)
                #expect(try await store.readPosition(of: "bob", in: room) == 7)
                #expect(try await store.readPosition(of: "carol", in: room) == 0, "positions are per user")
            }
        }
    }

    @Test("conversations have their own seqs and a stable epoch", arguments: await StoreKind.available)
    func conversationsAreIndependent(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.open { store, _ in
                let room = Conversation.room("one")
                let direct = Conversation.direct(between: "bob", and: "alice")
                let empty = try await store.state(of: room)
                #expect(empty.lastSeq == 0)
                #expect(empty.firstAvailableSeq == 1)
                _ = try await store.append(Self.draft(room, cid: "1"))
                _ = try await store.append(Self.draft(direct, cid: "2"))
                let reply = try await store.append(Self.draft(direct, from: "bob", cid: "1"))
                #expect(reply.message.seq == 2)
                #expect(reply.message.conversationKey == "dm:alice:bob")
                let state = try await store.state(of: room)
                #expect(state.lastSeq == 1)
                #expect(state.epoch == empty.epoch, "appending does not change the epoch")
                #expect(!state.epoch.isEmpty)
            }
        }
    }

    @Test(
        "unread direct conversations count the peer's messages after the read position",
        arguments: await StoreKind.available)
    func unreadDirectConversations(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.open { store, _ in
                let direct = Conversation.direct(between: "alice", and: "bob")
                for n in 1...3 {
                    _ = try await store.append(Self.draft(direct, from: "alice", text: "hi \(n)", cid: "a\(n)"))
                }
                _ = try await store.append(Self.draft(direct, from: "bob", text: "yo", cid: "b1"))
                _ = try await store.append(Self.draft(.direct(between: "carol", and: "bob"), from: "carol", cid: "c1"))
                _ = try await store.append(Self.draft(.room("lobby"), from: "alice", cid: "a-room"))

                #expect(
                    try await store.unreadDirectConversations(of: "bob") == [
                        UnreadConversation(peer: "alice", count: 3, lastSeq: 4, readSeq: 0),
                        UnreadConversation(peer: "carol", count: 1, lastSeq: 1, readSeq: 0),
                    ])
                #expect(
                    try await store.unreadDirectConversations(of: "alice") == [
                        UnreadConversation(peer: "bob", count: 1, lastSeq: 4, readSeq: 0)
                    ])
                _ = try await store.markRead(user: "bob", in: direct, upTo: 2)
                _ = try await store.markRead(user: "bob", in: .direct(between: "bob", and: "carol"), upTo: 1)
                #expect(
                    try await store.unreadDirectConversations(of: "bob") == [
                        UnreadConversation(peer: "alice", count: 1, lastSeq: 4, readSeq: 2)
                    ])
                #expect(try await store.unreadDirectConversations(of: "dave").isEmpty)
            }
        }
    }

    @Test("SQL-like, HTML-like and unusual text is stored and returned verbatim", arguments: await StoreKind.available)
    func textIsVerbatim(kind: StoreKind) async throws {
        let texts = [
            "'); DROP TABLE messages; --",
            "Robert'); DELETE FROM accounts WHERE ('1'='1",
            "<script>alert(\"x\")</script> &amp; <b>bold</b>",
            "emoji 🐇💬, RTL עברית, combining é, tab\tand\nnewline",
            String(repeating: "long ", count: 800),
        ]
        try await StoreFixture.with(kind) { fixture in
            try await fixture.open { store, _ in
                let room = Conversation.room("verbatim")
                for (n, text) in texts.enumerated() {
                    _ = try await store.append(Self.draft(room, from: "x'; --", text: text, cid: "v\(n)\"'"))
                }
                let stored = try await store.messages(in: room, after: 0, limit: 10)
                #expect(stored.map(\.text) == texts)
                #expect(stored.allSatisfy { $0.from == "x'; --" })
                #expect(stored.first?.clientID == "v0\"'")
            }
        }
    }

    @Test(
        "history, seqs, epochs, read positions and idempotence survive reopening",
        arguments: await StoreKind.availableDurable)
    func survivesReopening(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            let room = Conversation.room("durable")
            let before: (ConversationState, [StoredMessage]) = try await fixture.open { store, _ in
                for n in 1...3 { _ = try await store.append(Self.draft(room, text: "m\(n)", cid: "d\(n)")) }
                _ = try await store.markRead(user: "bob", in: room, upTo: 2)
                return (try await store.state(of: room), try await store.messages(in: room, after: 0, limit: 10))
            }
            try await fixture.open { store, _ in
                let state = try await store.state(of: room)
                #expect(state == before.0, "epoch and last seq are what they were")
                #expect(try await store.messages(in: room, after: 0, limit: 10) == before.1)
                #expect(try await store.readPosition(of: "bob", in: room) == 2)
                let retry = try await store.append(Self.draft(room, text: "m3", cid: "d3"))
                #expect(retry.duplicate, "a retry after a restart is still recognised")
                #expect(retry.message == before.1[2])
                let next = try await store.append(Self.draft(room, text: "m4", cid: "d4"))
                #expect(next.message.seq == 4)
            }
        }
    }
}

/// Edits, deletes, reactions and replies: one set of rules (`MessageLifecycle`) applied by every
/// store inside the append of the `update` entry that records them.
@Suite("Message lifecycle conformance", .timeLimit(.minutes(2)))
struct MessageLifecycleConformanceTests {
    static func draft(
        _ conversation: Conversation, from: String, text: String = "", cid: String, update: MessageUpdate? = nil,
        replyTo: Int64? = nil, mayDeleteOthers: Bool = false
    ) -> MessageDraft {
        MessageDraft(
            conversation: conversation, from: from, text: text, clientID: cid, timestamp: ChatClock.wallMillis(),
            update: update, replyTo: replyTo, mayDeleteOthers: mayDeleteOthers)
    }

    @Test(
        "a retried edit or delete with its cid answers the first seq and changes nothing again; another change under that cid is a conflict",
        arguments: await StoreKind.available)
    func changesAreIdempotentByClientID(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.open { store, _ in
                let room = Conversation.room("retries")
                _ = try await store.append(Self.draft(room, from: "alice", text: "first", cid: "m1"))
                let edit = Self.draft(
                    room, from: "alice", cid: "e1", update: MessageUpdate(.edit, seq: 1, text: "second"))
                let edited = try await store.append(edit)
                #expect(!edited.duplicate)
                #expect(edited.message.seq == 2)
                let retriedEdit = try await store.append(edit)
                #expect(retriedEdit.duplicate)
                #expect(retriedEdit.message.seq == 2, "the retry answers the seq the edit took")

                let delete = Self.draft(room, from: "alice", cid: "d1", update: MessageUpdate(.delete, seq: 1))
                #expect(try await store.append(delete).message.seq == 3)
                let retriedDelete = try await store.append(delete)
                #expect(retriedDelete.duplicate)
                #expect(retriedDelete.message.seq == 3)

                #expect(try await store.state(of: room).lastSeq == 3, "no retry took a seq")
                let original = try #require(try await store.messages(in: room, after: 0, limit: 1).first)
                #expect(original.deletedBy == "alice")
                #expect(original.text == "")
                await #expect(throws: StoreError.self, "the same cid for another edit") {
                    _ = try await store.append(
                        Self.draft(room, from: "alice", cid: "e1", update: MessageUpdate(.edit, seq: 1, text: "third")))
                }
            }
        }
    }

    @Test(
        "an edit in a room records the text it replaced in the room's moderation log (a DM's in none); a delete empties it there too",
        arguments: await StoreKind.available)
    func editsInTheModerationLog(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                let now = ChatClock.wallMillis()
                _ = try await store.join(room: "Edits", user: "alice", now: now)
                let room = Conversation.room("Edits")
                _ = try await store.append(Self.draft(room, from: "alice", text: "first words", cid: "a1"))
                _ = try await store.append(Self.draft(room, from: "alice", text: "keep me", cid: "a2"))
                _ = try await store.append(
                    Self.draft(
                        room, from: "alice", cid: "a3", update: MessageUpdate(.edit, seq: 1, text: "second words")))
                _ = try await store.append(
                    Self.draft(
                        room, from: "alice", cid: "a4", update: MessageUpdate(.edit, seq: 1, text: "third words")))
                _ = try await store.append(
                    Self.draft(
                        room, from: "alice", cid: "a5", update: MessageUpdate(.edit, seq: 2, text: "kept, edited")))
                // A DM's edits have no moderators and no log.
                let direct = Conversation.direct(between: "alice", and: "bob")
                _ = try await store.append(Self.draft(direct, from: "alice", text: "psst", cid: "d1"))
                _ = try await store.append(
                    Self.draft(direct, from: "alice", cid: "d2", update: MessageUpdate(.edit, seq: 1, text: "hush")))

                var edits = try await store.moderationLog(of: "edits", limit: 50).filter { $0.action == .edit }
                #expect(edits.map(\.detail) == ["first words", "second words", "keep me"])
                #expect(edits.map(\.seq) == [1, 1, 2])
                #expect(edits.allSatisfy { $0.actor == "alice" && $0.target == "alice" && $0.room == "Edits" })
                #expect(edits.map(\.id) == edits.map(\.id).sorted(), "oldest first")

                // Deleted text leaves the store, the log's copies of it too; the entries stay.
                _ = try await store.append(
                    Self.draft(room, from: "alice", cid: "a6", update: MessageUpdate(.delete, seq: 1)))
                edits = try await store.moderationLog(of: "Edits", limit: 50).filter { $0.action == .edit }
                #expect(edits.map(\.detail) == ["", "", "keep me"])
                #expect(edits.map(\.seq) == [1, 1, 2])
            }
        }
    }

    @Test(
        "edit, react, reply and delete change the message in place and take a seq each; a delete leaves a tombstone and empties its quotes",
        arguments: await StoreKind.available)
    func lifecycle(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.open { store, _ in
                let room = Conversation.room("lifecycle")
                _ = try await store.append(Self.draft(room, from: "alice", text: "secret plan", cid: "a1"))
                let reply = try await store.append(Self.draft(room, from: "bob", text: "agreed", cid: "b1", replyTo: 1))
                #expect(reply.message.replyTo == MessageQuote(seq: 1, from: "alice", text: "secret plan"))
                let edit = try await store.append(
                    Self.draft(
                        room, from: "alice", cid: "a2", update: MessageUpdate(.edit, seq: 1, text: "better plan")))
                #expect(edit.message.seq == 3)
                #expect(edit.message.update == MessageUpdate(.edit, seq: 1, text: "better plan"))
                for (user, emoji, cid) in [("bob", "👍", "b2"), ("carol", "👍", "c1"), ("bob", "🎉", "b3")] {
                    _ = try await store.append(
                        Self.draft(
                            room, from: user, cid: cid, update: MessageUpdate(.react, seq: 1, emoji: emoji, on: true)))
                }
                var current = try #require(try await store.messages(in: room, after: 0, limit: 1).first)
                #expect(current.text == "better plan")
                #expect(current.editedAt != nil)
                #expect(
                    current.reactions.entries == [
                        .init(emoji: "👍", users: ["bob", "carol"]), .init(emoji: "🎉", users: ["bob"]),
                    ])

                // A reaction taken back; a retried one (same cid) is one entry.
                let takeBack = Self.draft(
                    room, from: "bob", cid: "b4", update: MessageUpdate(.react, seq: 1, emoji: "🎉", on: false))
                let first = try await store.append(takeBack)
                let retried = try await store.append(takeBack)
                #expect(retried.duplicate)
                #expect(retried.message.seq == first.message.seq)
                current = try #require(try await store.messages(in: room, after: 0, limit: 1).first)
                #expect(current.reactions.entries == [.init(emoji: "👍", users: ["bob", "carol"])])

                // Someone else may not edit or (without the right) delete it.
                await #expect(throws: StoreError.self) {
                    _ = try await store.append(
                        Self.draft(room, from: "bob", cid: "b5", update: MessageUpdate(.edit, seq: 1, text: "mine now"))
                    )
                }
                await #expect(throws: StoreError.self) {
                    _ = try await store.append(
                        Self.draft(room, from: "bob", cid: "b6", update: MessageUpdate(.delete, seq: 1)))
                }
                // A moderator may delete it: the text leaves the store, quotes of it are emptied.
                let deletion = try await store.append(
                    Self.draft(
                        room, from: "mod", cid: "m1", update: MessageUpdate(.delete, seq: 1), mayDeleteOthers: true))
                let all = try await store.messages(in: room, after: 0, limit: 50)
                #expect(all.map(\.seq) == Array(1...deletion.message.seq), "every change took its seq")
                let tombstone = try #require(all.first)
                #expect(tombstone.text == "")
                #expect(tombstone.deletedBy == "mod")
                #expect(tombstone.reactions.isEmpty)
                #expect(all[1].replyTo == MessageQuote(seq: 1, from: "alice", text: ""))
                #expect(!all.contains { $0.text.contains("plan") || ($0.replyTo?.text.contains("plan") ?? false) })
                // The edit entry keeps the edited text, so a deleted message's text would survive in
                // it: the store removes that too.
                #expect(!all.contains { $0.update?.text?.contains("plan") ?? false }, "\(all.map(\.update))")

                // A deleted message can't be edited, reacted to or answered.
                for draft in [
                    Self.draft(room, from: "alice", cid: "a3", update: MessageUpdate(.edit, seq: 1, text: "again")),
                    Self.draft(
                        room, from: "bob", cid: "b7", update: MessageUpdate(.react, seq: 1, emoji: "👍", on: true)),
                    Self.draft(room, from: "bob", text: "re", cid: "b8", replyTo: 1),
                ] {
                    await #expect(throws: StoreError.self) { _ = try await store.append(draft) }
                }
                // Updates and replies name real messages of the conversation only.
                for draft in [
                    Self.draft(room, from: "alice", cid: "a4", update: MessageUpdate(.edit, seq: 999, text: "x")),
                    Self.draft(room, from: "alice", cid: "a5", update: MessageUpdate(.edit, seq: 3, text: "x")),
                    Self.draft(room, from: "bob", text: "re", cid: "b9", replyTo: 999),
                ] {
                    do {
                        _ = try await store.append(draft)
                        Issue.record("\(draft) was accepted")
                    } catch let error as StoreError {
                        #expect(error.code == .noSuchMessage || error.code == .notAuthor, "\(error)")
                    }
                }
            }
        }
    }

    @Test(
        "a message carries at most 20 different emoji; the 21st is refused too_many_reactions",
        arguments: await StoreKind.available)
    func reactionLimit(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.open { store, _ in
                let room = Conversation.room("reactions")
                _ = try await store.append(Self.draft(room, from: "alice", text: "react to me", cid: "a1"))
                let emoji = Array("😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙🥲😚🙂🤗").map(String.init)
                for (index, one) in emoji.prefix(20).enumerated() {
                    _ = try await store.append(
                        Self.draft(
                            room, from: "u\(index)", cid: "r\(index)",
                            update: MessageUpdate(.react, seq: 1, emoji: one, on: true)))
                }
                do {
                    _ = try await store.append(
                        Self.draft(
                            room, from: "late", cid: "r20",
                            update: MessageUpdate(.react, seq: 1, emoji: emoji[20], on: true)))
                    Issue.record("a 21st emoji was accepted")
                } catch let error as StoreError {
                    #expect(error.code == .tooManyReactions)
                }
                // An emoji already there is still welcome.
                _ = try await store.append(
                    Self.draft(
                        room, from: "late", cid: "r21", update: MessageUpdate(.react, seq: 1, emoji: emoji[0], on: true)
                    ))
                let message = try #require(try await store.messages(in: room, after: 0, limit: 1).first)
                #expect(message.reactions.entries.count == 20)
                #expect(message.reactions.entries.first?.users == ["u0", "late"])
            }
        }
    }
}
