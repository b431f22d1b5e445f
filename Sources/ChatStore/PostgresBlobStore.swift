package import ChatCore
import Foundation
package import NIOCore
import PostgresNIO

/// A `BlobStore` in PostgreSQL: every node of a cluster serves every file.
///
/// Blobs are `bytea` chunks of `BlobStoreLimits.chunkBytes` in `blob_chunks`, with one row per
/// blob in `blobs` (migration 8), rather than large objects: chunks are ordinary rows of the
/// server's schema (a test's schema, `pg_dump` of that schema, row-level permissions all just
/// work), a range read fetches only the chunks it needs, and deleting a blob is a `DELETE`
/// with nothing to `lo_unlink` and no orphans to vacuum out of `pg_largeobject`. postgres-nio
/// has no large-object API either. docs/STORAGE.md says more.
///
/// A writer inserts each chunk in its own statement under `staging:<uuid>` (no transaction held
/// open while a client uploads); `commit` renames the chunks to the digest in one transaction,
/// or deletes them when the blob is already stored.
package struct PostgresBlobStore: BlobStore {
    let store: PostgresMessageStore

    /// Blobs in the database of `store` (which runs the client and the migrations).
    package init(store: PostgresMessageStore) {
        self.store = store
    }

    package func makeWriter() async throws -> any BlobWriter {
        PostgresBlobWriter(store: store, key: "staging:" + UUID().uuidString.lowercased())
    }

    package func size(of digest: BlobDigest) async throws -> Int64? {
        try await store.guarded {
            try await store.query("SELECT size FROM blobs WHERE digest = \(digest.hex)").first?.decode(Int64.self)
        }
    }

    package func read(
        _ digest: BlobDigest, range: Range<Int64>, _ body: (ByteBuffer) async throws -> Void
    ) async throws {
        guard try await size(of: digest) != nil else { throw BlobStoreError(.notFound, "no blob \(digest)") }
        guard !range.isEmpty else { return }
        let chunkBytes = Int64(BlobStoreLimits.chunkBytes)
        let first = range.lowerBound / chunkBytes
        let last = (range.upperBound - 1) / chunkBytes
        // One chunk per query: a download holds at most one chunk, however big the file.
        for chunk in first...last {
            let rows = try await store.guarded {
                try await store.query(
                    "SELECT data FROM blob_chunks WHERE blob = \(digest.hex) AND chunk = \(Int32(chunk))")
            }
            guard var data = try rows.first?.decode(ByteBuffer.self) else {
                throw BlobStoreError(.unavailable, "blob \(digest) lacks chunk \(chunk)")
            }
            let chunkStart = chunk * chunkBytes
            let from = Int(max(range.lowerBound, chunkStart) - chunkStart)
            let to = Int(min(range.upperBound, chunkStart + Int64(data.readableBytes)) - chunkStart)
            guard from < to, let slice = data.getSlice(at: data.readerIndex + from, length: to - from) else {
                throw BlobStoreError(.unavailable, "blob \(digest) is shorter than its size")
            }
            data = slice
            try await body(data)
        }
    }

    package func delete(_ digest: BlobDigest) async throws {
        try await store.guarded {
            try await store.transaction { connection in
                try await connection.checkedQuery(Self.lock(digest.hex), logger: store.logger)
                try await connection.checkedQuery(
                    "DELETE FROM blobs WHERE digest = \(digest.hex)", logger: store.logger)
                try await connection.checkedQuery(
                    "DELETE FROM blob_chunks WHERE blob = \(digest.hex)", logger: store.logger)
            }
        }
    }

    package func removeAbandonedStaging(olderThan cutoffMillis: Int64) async throws -> Int {
        try await store.guarded {
            let rows = try await store.query(
                """
                DELETE FROM blob_chunks WHERE blob LIKE 'staging:%' AND created_at < \(cutoffMillis)
                RETURNING blob
                """)
            return Set(try rows.map { try $0.decode(String.self) }).count
        }
    }

    /// The advisory lock of one blob: a commit and a delete of the same digest never interleave.
    static func lock(_ key: String) -> PostgresQuery {
        "SELECT pg_advisory_xact_lock(\(PostgresSchema.blobLockClass), hashtext(\(key)))"
    }
}
