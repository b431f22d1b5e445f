package import ChatCore
import Foundation
import GRDB

/// `UploadStore` on SQLite (migration 8): `uploads` holds one row per upload, and
/// `message_attachments` one row per (upload, message), written in the append's transaction.
extension SQLiteMessageStore: UploadStore {
    static let uploadColumns = "id, digest, uploader, name, content_type, size, created_at"

    static func upload(_ row: Row) throws -> Upload {
        let digest: String = row["digest"]
        let type: String = row["content_type"]
        guard let blob = BlobDigest(hex: digest), let contentType = UploadContentType(rawValue: type) else {
            throw StoreError(.unavailable, "upload \(row["id"] as String) has an unreadable digest or type")
        }
        return Upload(
            id: row["id"], digest: blob, uploader: row["uploader"], name: row["name"], contentType: contentType,
            size: row["size"], createdAt: row["created_at"])
    }

    /// Records that message `seq` of conversation `key` carries `attachments`, in the append's
    /// transaction.
    ///
    /// - Throws: `noSuchUpload` when one of them is no longer stored (collected since the hub
    ///   checked it); the append's savepoint then leaves nothing behind.
    static func recordAttachments(_ attachments: [MessageAttachment], key: String, seq: Int64, _ db: Database) throws {
        for attachment in attachments {
            guard
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM uploads WHERE id = ?)", arguments: [attachment.id]) == true
            else {
                throw StoreError(.noSuchUpload, "upload \(attachment.id) is not stored")
            }
            try db.execute(
                sql:
                    "INSERT INTO message_attachments (upload_id, conversation_key, seq) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                arguments: [attachment.id, key, seq])
        }
    }

    package func recordUpload(_ upload: Upload) async throws {
        try await guarded {
            try await pool.write { db in
                try db.execute(
                    sql: "INSERT INTO uploads (\(Self.uploadColumns)) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [
                        upload.id, upload.digest.hex, upload.uploader, upload.name, upload.contentType.rawValue,
                        upload.size, upload.createdAt,
                    ])
            }
        }
    }

    package func upload(id: String) async throws -> Upload? {
        try await guarded {
            try await pool.read { db in
                try Row.fetchOne(db, sql: "SELECT \(Self.uploadColumns) FROM uploads WHERE id = ?", arguments: [id])
                    .map(Self.upload)
            }
        }
    }

    package func uploads(ids: [String], uploadedBy uploader: String) async throws -> [Upload] {
        guard !ids.isEmpty else { return [] }
        return try await guarded {
            try await pool.read { db in
                let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
                return try Row.fetchAll(
                    db, sql: "SELECT \(Self.uploadColumns) FROM uploads WHERE uploader = ? AND id IN (\(marks))",
                    arguments: StatementArguments([uploader] + ids)
                ).map(Self.upload)
            }
        }
    }

    package func readableUpload(id: String, reader: String?, now: Int64) async throws -> Upload? {
        try await guarded {
            try await pool.read { db in
                // The uploader, or a reader of a conversation with a message that carries it
                // (`readable`, the rule search applies).
                let sql = """
                    SELECT \(Self.uploadColumns) FROM uploads u
                    WHERE u.id = :id AND (
                      (:reader IS NOT NULL AND u.uploader = :reader)
                      OR EXISTS (
                        SELECT 1 FROM message_attachments ma JOIN conversations c ON c.key = ma.conversation_key
                        WHERE ma.upload_id = u.id AND \(Self.readable)))
                    """
                let arguments: [String: (any DatabaseValueConvertible)?] = [
                    "id": id, "reader": reader, "reader_key": reader.map(Account.key(for:)), "now": now,
                ]
                return try Row.fetchOne(db, sql: sql, arguments: StatementArguments(arguments)).map(Self.upload)
            }
        }
    }

    package func uploadUsage(of uploader: String, since: Int64) async throws -> UploadUsage {
        try await guarded {
            try await pool.read { db in
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT COALESCE(SUM(size), 0) AS total, COALESCE(SUM(created_at >= ?), 0) AS recent
                        FROM uploads WHERE uploader = ?
                        """,
                    arguments: [since, uploader])
                return UploadUsage(totalBytes: row?["total"] ?? 0, recentCount: row?["recent"] ?? 0)
            }
        }
    }

    package func collectUnreferencedUploads(createdBefore: Int64, limit: Int) async throws -> [BlobDigest] {
        try await guarded {
            try await pool.write { db in
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        DELETE FROM uploads WHERE id IN (
                          SELECT id FROM uploads u WHERE u.created_at < ?
                            AND NOT EXISTS (SELECT 1 FROM message_attachments ma WHERE ma.upload_id = u.id)
                          ORDER BY u.created_at LIMIT ?)
                        RETURNING digest
                        """,
                    arguments: [createdBefore, limit])
                var orphaned: [BlobDigest] = []
                for digest in Set(rows.map { $0["digest"] as String }) {
                    let shared =
                        try Bool.fetchOne(
                            db, sql: "SELECT EXISTS (SELECT 1 FROM uploads WHERE digest = ?)", arguments: [digest])
                        ?? true
                    if !shared, let blob = BlobDigest(hex: digest) { orphaned.append(blob) }
                }
                return orphaned
            }
        }
    }

    package func isBlobReferenced(_ digest: BlobDigest) async throws -> Bool {
        try await guarded {
            try await pool.read { db in
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM uploads WHERE digest = ?)", arguments: [digest.hex])
                    ?? true
            }
        }
    }
}
