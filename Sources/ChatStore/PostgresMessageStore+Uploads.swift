package import ChatCore
import Foundation
import PostgresNIO

/// `UploadStore` on PostgreSQL (migration 8): the same tables and rules as SQLite's, so every
/// node knows every upload and who may read it.
extension PostgresMessageStore: UploadStore {
    static let uploadColumns = "id, digest, uploader, name, content_type, size, created_at"

    static func uploads(_ rows: PostgresQueryResult) throws -> [Upload] {
        try rows.map { row in
            let (id, digest, uploader, name, type, size, createdAt) =
                try row.decode((String, String, String, String, String, Int64, Int64).self)
            guard let blob = BlobDigest(hex: digest), let contentType = UploadContentType(rawValue: type) else {
                throw StoreError(.unavailable, "upload \(id) has an unreadable digest or type")
            }
            return Upload(
                id: id, digest: blob, uploader: uploader, name: name, contentType: contentType, size: size,
                createdAt: createdAt)
        }
    }

    /// Records that message `seq` of conversation `key` carries `attachments`, in the append's
    /// transaction. The foreign key to `uploads` makes a concurrent collection of one of them
    /// fail either the collection or this append, never leave a reference to nothing.
    ///
    /// - Throws: `noSuchUpload` when one of them is no longer stored.
    func recordAttachments(
        _ attachments: [MessageAttachment], key: String, seq: Int64, on connection: PostgresConnection
    ) async throws {
        for attachment in attachments {
            let inserted: PostgresQueryResult
            do {
                inserted = try await connection.checkedQuery(
                    """
                    INSERT INTO message_attachments (upload_id, conversation_key, seq)
                    SELECT id, \(key), \(seq) FROM uploads WHERE id = \(attachment.id)
                    ON CONFLICT DO NOTHING RETURNING upload_id
                    """, logger: logger)
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23503" {
                // A collection deleted it after this statement read it.
                throw StoreError(.noSuchUpload, "upload \(attachment.id) is not stored")
            }
            guard inserted.first != nil else {
                throw StoreError(.noSuchUpload, "upload \(attachment.id) is not stored")
            }
        }
    }

    package func recordUpload(_ upload: Upload) async throws {
        try await guarded {
            _ = try await query(
                """
                INSERT INTO uploads (id, digest, uploader, name, content_type, size, created_at)
                VALUES (\(upload.id), \(upload.digest.hex), \(upload.uploader), \(upload.name),
                    \(upload.contentType.rawValue), \(upload.size), \(upload.createdAt))
                """)
        }
    }

    package func upload(id: String) async throws -> Upload? {
        try await guarded {
            try Self.uploads(await query("SELECT \(unescaped: Self.uploadColumns) FROM uploads WHERE id = \(id)")).first
        }
    }

    package func uploads(ids: [String], uploadedBy uploader: String) async throws -> [Upload] {
        guard !ids.isEmpty else { return [] }
        return try await guarded {
            try Self.uploads(
                await query(
                    """
                    SELECT \(unescaped: Self.uploadColumns) FROM uploads
                    WHERE uploader = \(uploader) AND id = ANY(\(ids))
                    """))
        }
    }

    package func readableUpload(id: String, reader: String?, now: Int64) async throws -> Upload? {
        var binds = PostgresBindings()
        binds.append(id)
        binds.append(reader ?? "")
        binds.append(reader.map(Account.key(for:)) ?? "")
        binds.append(now)
        // The uploader, or a reader of a conversation with a message that carries it
        // (`readable`, the rule search applies).
        let sql = """
            SELECT \(Self.uploadColumns) FROM uploads u
            WHERE u.id = $1 AND (
              ($2 <> '' AND u.uploader = $2)
              OR EXISTS (
                SELECT 1 FROM message_attachments ma JOIN conversations c ON c.key = ma.conversation_key
                WHERE ma.upload_id = u.id AND \(Self.readable(reader: "$2", readerKey: "$3", now: "$4"))))
            """
        return try await guarded {
            try Self.uploads(await query(PostgresQuery(unsafeSQL: sql, binds: binds))).first
        }
    }

    package func uploadUsage(of uploader: String, since: Int64) async throws -> UploadUsage {
        try await guarded {
            let rows = try await query(
                """
                SELECT COALESCE(SUM(size), 0)::BIGINT, COUNT(*) FILTER (WHERE created_at >= \(since))
                FROM uploads WHERE uploader = \(uploader)
                """)
            guard let (total, recent) = try rows.first?.decode((Int64, Int64).self) else {
                return UploadUsage(totalBytes: 0, recentCount: 0)
            }
            return UploadUsage(totalBytes: total, recentCount: Int(recent))
        }
    }

    package func collectUnreferencedUploads(createdBefore: Int64, limit: Int) async throws -> [BlobDigest] {
        try await guarded {
            try await transaction { connection in
                // SKIP LOCKED: an upload a concurrent append is attaching (it holds the row's
                // key-share lock) is left for the next round.
                let rows = try await connection.checkedQuery(
                    """
                    DELETE FROM uploads WHERE id IN (
                      SELECT id FROM uploads u WHERE u.created_at < \(createdBefore)
                        AND NOT EXISTS (SELECT 1 FROM message_attachments ma WHERE ma.upload_id = u.id)
                      ORDER BY u.created_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                    RETURNING digest
                    """, logger: self.logger)
                let digests = Set(try rows.map { try $0.decode(String.self) })
                var orphaned: [BlobDigest] = []
                for digest in digests {
                    let shared = try await connection.checkedQuery(
                        "SELECT EXISTS (SELECT 1 FROM uploads WHERE digest = \(digest))", logger: self.logger)
                    let isShared = try shared.first?.decode(Bool.self) ?? true
                    if !isShared, let blob = BlobDigest(hex: digest) { orphaned.append(blob) }
                }
                return orphaned
            }
        }
    }

    package func isBlobReferenced(_ digest: BlobDigest) async throws -> Bool {
        try await guarded {
            let rows = try await query("SELECT EXISTS (SELECT 1 FROM uploads WHERE digest = \(digest.hex))")
            return try rows.first?.decode(Bool.self) ?? true
        }
    }
}
