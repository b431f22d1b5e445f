import ChatCore
import Foundation
import GRDB
import Testing

@testable import ChatStore

/// Migration 8 (uploads) and 9 (bots) were numbered on two branches at once: a database made
/// while 8 was free gets it on its next start, and attachments then work on it.
@Suite("Upload migration", .timeLimit(.minutes(2)))
struct UploadMigrationTests {
    @Test("a SQLite file without migration 8 (versions 1–7, 9) gets the upload tables; its messages read as before")
    func sqliteUpgradeAddsUploads() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("rabbitchat-upgrade-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("v9.sqlite").path
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            // Up to 11: a database made before migration 12 (search's normalised text).
            try OlderSQLiteSchema.create(in: db) { $0.version != 8 && $0.version <= 11 }
            try db.execute(
                sql: """
                    INSERT INTO conversations (key, kind, room, epoch, last_seq, created_at)
                    VALUES ('room:old', 'room', 'old', 'e', 1, 1)
                    """)
            try db.execute(
                sql: """
                    INSERT INTO messages (conversation_key, seq, id, sender, client_id, text, created_at)
                    VALUES ('room:old', 1, 'id-1', 'alice', 'c1', 'before uploads', 10)
                    """)
        }
        try queue.close()

        let store = try SQLiteMessageStore(path: path)
        #expect(try await store.appliedMigrations() == Array(1...12))
        let old = try await store.messages(in: .room("old"), after: 0, limit: 10)
        #expect(old.map(\.text) == ["before uploads"])
        #expect(old.first?.attachments == [], "a message from before has no attachments")
        let upload = Upload(
            id: UUID().uuidString.lowercased(), digest: BlobDigest(bytes: [UInt8](repeating: 7, count: 32)),
            uploader: "alice", name: "a.png", contentType: .png, size: 3, createdAt: 20)
        try await store.recordUpload(upload)
        var draft = MessageDraft(
            conversation: .room("old"), from: "alice", text: "", clientID: "c2", timestamp: 30)
        draft.attachments = [upload.attachment]
        let stored = try await store.append(draft).message
        #expect(stored.seq == 2)
        #expect(try await store.readableUpload(id: upload.id, reader: nil, now: 40) == upload)
    }
}
