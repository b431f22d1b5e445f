import ChatCore
import ChatStore
import Foundation
import Testing

/// What every `UploadStore` promises, run against the in-memory store, SQLite and PostgreSQL:
/// uploads and their owners, attachments written with the message, who may read a file, usage,
/// and the collection of uploads no message carries.
@Suite("UploadStore conformance", .timeLimit(.minutes(2)))
struct UploadStoreConformanceTests {
    typealias Store = any DatabaseURL.DurableStore

    static func digest(_ seed: UInt8) -> BlobDigest { BlobDigest(bytes: [UInt8](repeating: seed, count: 32)) }

    static func upload(
        by uploader: String, digest: BlobDigest = digest(1), size: Int64 = 100, createdAt: Int64 = 1_000,
        type: UploadContentType = .png
    ) -> Upload {
        Upload(
            id: UUID().uuidString.lowercased(), digest: digest, uploader: uploader, name: "photo \(size).png",
            contentType: type, size: size, createdAt: createdAt)
    }

    @discardableResult
    static func post(
        _ store: Store, _ conversation: Conversation, from: String, attaching uploads: [Upload]
    ) async throws -> StoredMessage {
        var draft = MessageDraft(
            conversation: conversation, from: from, text: "see attached",
            clientID: "c\(UInt64.random(in: 0...UInt64.max))",
            timestamp: ChatClock.wallMillis())
        draft.attachments = uploads.map(\.attachment)
        return try await store.append(draft).message
    }

    @Test(
        "an upload reads back as recorded; only its uploader's ids are found by owner",
        arguments: await StoreKind.available)
    func recordAndOwn(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store async throws in
                let mine = Self.upload(by: "alice", type: .text)
                let theirs = Self.upload(by: "bob")
                try await store.recordUpload(mine)
                try await store.recordUpload(theirs)
                #expect(try await store.upload(id: mine.id) == mine)
                #expect(try await store.upload(id: UUID().uuidString.lowercased()) == nil)
                let found = try await store.uploads(
                    ids: [mine.id, theirs.id, UUID().uuidString.lowercased()], uploadedBy: "alice")
                #expect(found == [mine], "someone else's upload and an unknown id are not the sender's")
                #expect(try await store.uploads(ids: [], uploadedBy: "alice").isEmpty)
            }
        }
    }

    @Test(
        "a message carries its attachments in order, in every read path, and survives a reopen",
        arguments: await StoreKind.available)
    func attachmentsOnMessages(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            let lobby = Conversation.room("lobby")
            let uploads = [
                Self.upload(by: "alice", size: 5),
                Self.upload(by: "alice", digest: Self.digest(2), size: 7, type: .pdf),
            ]
            try await fixture.openRoomStore { store async throws in
                for upload in uploads { try await store.recordUpload(upload) }
                let stored = try await Self.post(store, lobby, from: "alice", attaching: uploads.reversed())
                #expect(stored.attachments == uploads.reversed().map(\.attachment))
                #expect(stored.attachments.last?.type == "image/png")
            }
            try await fixture.openRoomStore { store async throws in
                let expected = uploads.reversed().map(\.attachment)
                #expect(try await store.messages(in: lobby, after: 0, limit: 10).first?.attachments == expected)
                #expect(try await store.messages(in: lobby, before: nil, limit: 10).first?.attachments == expected)
            }
        }
    }

    @Test(
        "an append naming an upload that is not stored is refused with noSuchUpload and stores nothing",
        arguments: await StoreKind.available)
    func missingUpload(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store async throws in
                let lobby = Conversation.room("lobby")
                let ghost = Self.upload(by: "alice")
                let error = await #expect(throws: StoreError.self) {
                    try await Self.post(store, lobby, from: "alice", attaching: [ghost])
                }
                #expect(error?.code == .noSuchUpload)
                #expect(try await store.messages(in: lobby, after: 0, limit: 10).isEmpty)
                #expect(try await store.state(of: lobby).lastSeq == 0, "no seq was used")
            }
        }
    }

    @Test(
        "readable by the uploader and by readers of a conversation that carries it; 'no' looks like 'none'",
        arguments: await StoreKind.available)
    func readability(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store async throws in
                for name in ["alice", "bob", "carol", "dave"] {
                    try await store.createAccount(Account(name: name, passwordHash: "h", createdAt: 1))
                }
                _ = try await store.setAdmin(true, name: "dave")
                _ = try await store.createRoom(
                    Room(name: "Secret", visibility: .private, creator: "alice", createdAt: 1))
                try await store.invite("bob", to: "secret", by: .user("alice"), now: 2)
                _ = try await store.join(room: "secret", user: "bob", now: 3)
                let now = ChatClock.wallMillis()

                let unsent = Self.upload(by: "alice")
                let secret = Self.upload(by: "alice")
                let dm = Self.upload(by: "alice")
                let lobby = Self.upload(by: "alice")
                for upload in [unsent, secret, dm, lobby] { try await store.recordUpload(upload) }
                try await Self.post(store, .room("Secret"), from: "alice", attaching: [secret])
                try await Self.post(store, .direct(between: "alice", and: "bob"), from: "alice", attaching: [dm])
                try await Self.post(store, .room("lobby"), from: "alice", attaching: [lobby])

                func readers(_ upload: Upload) async throws -> [String] {
                    var found: [String] = []
                    for reader in ["alice", "bob", "carol", "dave", nil] as [String?] {
                        if try await store.readableUpload(id: upload.id, reader: reader, now: now) == upload {
                            found.append(reader ?? "guest")
                        }
                    }
                    return found
                }
                #expect(try await readers(unsent) == ["alice"], "an unsent upload: its uploader only")
                #expect(try await readers(secret) == ["alice", "bob", "dave"], "a private room's: members and admins")
                #expect(try await readers(dm) == ["alice", "bob"], "a DM's: its two parties")
                #expect(
                    try await readers(lobby) == ["alice", "bob", "carol", "dave", "guest"], "a public room's: everyone")
                #expect(
                    try await store.readableUpload(id: UUID().uuidString.lowercased(), reader: "alice", now: now) == nil
                )

                try await store.ban("bob", from: "secret", until: nil, reason: "", by: .user("alice"), now: now)
                #expect(try await readers(secret) == ["alice", "dave"], "a banned member no longer reads it")
            }
        }
    }

    @Test(
        "a deleted message stops carrying its files: they are readable only by the uploader and can be collected",
        arguments: await StoreKind.available)
    func deletedMessage(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store async throws in
                let lobby = Conversation.room("lobby")
                let upload = Self.upload(by: "alice", createdAt: 1)
                try await store.recordUpload(upload)
                let message = try await Self.post(store, lobby, from: "alice", attaching: [upload])
                #expect(try await store.readableUpload(id: upload.id, reader: "bob", now: 2) == upload)
                #expect(
                    try await store.collectUnreferencedUploads(createdBefore: Int64.max, limit: 10).isEmpty,
                    "carried: kept")
                _ = try await store.append(
                    MessageDraft(
                        conversation: lobby, from: "alice", text: "", clientID: "delete",
                        timestamp: ChatClock.wallMillis(),
                        update: MessageUpdate(.delete, seq: message.seq)))
                #expect(try await store.messages(in: lobby, after: 0, limit: 1).first?.attachments == [])
                #expect(try await store.readableUpload(id: upload.id, reader: "bob", now: 2) == nil)
                #expect(try await store.readableUpload(id: upload.id, reader: "alice", now: 2) == upload)
                #expect(
                    try await store.collectUnreferencedUploads(createdBefore: Int64.max, limit: 10) == [upload.digest])
            }
        }
    }

    @Test("usage counts every upload's bytes and the recent ones", arguments: await StoreKind.available)
    func usage(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store async throws in
                #expect(
                    try await store.uploadUsage(of: "alice", since: 0) == UploadUsage(totalBytes: 0, recentCount: 0))
                try await store.recordUpload(Self.upload(by: "alice", size: 100, createdAt: 1_000))
                try await store.recordUpload(Self.upload(by: "alice", size: 100, createdAt: 5_000))
                try await store.recordUpload(
                    Self.upload(by: "alice", digest: Self.digest(9), size: 50, createdAt: 9_000))
                try await store.recordUpload(Self.upload(by: "bob", size: 1_000, createdAt: 9_000))
                #expect(
                    try await store.uploadUsage(of: "alice", since: 5_000)
                        == UploadUsage(totalBytes: 250, recentCount: 2))
            }
        }
    }

    @Test(
        "collection takes old unreferenced uploads in bounded batches and names only blobs no upload shares",
        arguments: await StoreKind.available)
    func collection(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store async throws in
                let shared = Self.digest(1)
                let old = (0..<5).map {
                    Self.upload(by: "alice", digest: Self.digest(UInt8(10 + $0)), createdAt: 1_000 + Int64($0))
                }
                let oldShared = Self.upload(by: "alice", digest: shared, createdAt: 1_000)
                let youngShared = Self.upload(by: "bob", digest: shared, createdAt: 50_000)
                let carried = Self.upload(by: "alice", digest: Self.digest(3), createdAt: 1_000)
                for upload in old + [oldShared, youngShared, carried] { try await store.recordUpload(upload) }
                try await Self.post(store, .room("lobby"), from: "alice", attaching: [carried])

                var collected: [BlobDigest] = []
                var rounds = 0
                while true {
                    let batch = try await store.collectUnreferencedUploads(createdBefore: 10_000, limit: 2)
                    rounds += 1
                    collected += batch
                    if batch.isEmpty && rounds > 3 { break }
                    #expect(rounds < 10)
                }
                #expect(Set(collected) == Set(old.map(\.digest)), "the shared blob is still named by the young upload")
                for upload in old + [oldShared] { #expect(try await store.upload(id: upload.id) == nil) }
                #expect(try await store.upload(id: youngShared.id) == youngShared, "inside the grace period: kept")
                #expect(try await store.upload(id: carried.id) == carried, "carried by a message: kept")
                #expect(try await store.isBlobReferenced(shared))
                #expect(try await store.isBlobReferenced(Self.digest(10)) == false)
            }
        }
    }
}
