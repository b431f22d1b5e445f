import ChatCore
import Foundation
import NIOCore
import PostgresNIO

/// The statements of `PostgresBlobStore` and its writers (migration 8's `blobs` and
/// `blob_chunks`), as plain methods taking values, so the writer actor hands over nothing of
/// its own state.
extension PostgresMessageStore {
    /// Stores one chunk of a blob being written.
    func insertBlobChunk(key: String, index: Int32, data: ByteBuffer) async throws {
        let now = ChatClock.wallMillis()
        try await guarded {
            _ = try await query(
                "INSERT INTO blob_chunks (blob, chunk, data, created_at) VALUES (\(key), \(index), \(data), \(now))")
        }
    }

    /// Moves the chunks staged under `key` to `digest` in one transaction under the blob's
    /// advisory lock, or drops them when the blob is already stored.
    func commitBlob(staged key: String, as digest: BlobDigest, size: Int64) async throws {
        try await guarded {
            try await transaction { connection in
                try await connection.checkedQuery(PostgresBlobStore.lock(digest.hex), logger: self.logger)
                let inserted = try await connection.checkedQuery(
                    """
                    INSERT INTO blobs (digest, size, created_at) VALUES (\(digest.hex), \(size), \(ChatClock.wallMillis()))
                    ON CONFLICT (digest) DO NOTHING RETURNING digest
                    """, logger: self.logger)
                if inserted.first != nil {
                    try await connection.checkedQuery(
                        "UPDATE blob_chunks SET blob = \(digest.hex) WHERE blob = \(key)", logger: self.logger)
                } else {
                    try await connection.checkedQuery(
                        "DELETE FROM blob_chunks WHERE blob = \(key)", logger: self.logger)
                }
            }
        }
    }

    /// Drops what was staged under `key` (best effort: the collector removes what is left).
    func removeStagedBlob(key: String) async {
        _ = try? await guarded { try await query("DELETE FROM blob_chunks WHERE blob = \(key)") }
    }
}
