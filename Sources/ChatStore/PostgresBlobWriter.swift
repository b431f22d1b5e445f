import ChatCore
import Foundation
import NIOCore
import PostgresNIO

/// A blob being written to `blob_chunks` under a staging key, a chunk per statement.
actor PostgresBlobWriter: BlobWriter {
    let store: PostgresMessageStore
    let key: String
    /// Bytes not yet a full chunk.
    private var pending = ByteBuffer()
    private var chunks: Int32 = 0
    private var size: Int64 = 0
    private var finished = false

    init(store: PostgresMessageStore, key: String) {
        self.store = store
        self.key = key
    }

    func write(_ bytes: ByteBuffer) async throws {
        precondition(!finished, "a blob writer was written to after commit or discard")
        var bytes = bytes
        size += Int64(bytes.readableBytes)
        pending.writeBuffer(&bytes)
        while pending.readableBytes >= BlobStoreLimits.chunkBytes {
            let chunk = pending.readSlice(length: BlobStoreLimits.chunkBytes)!
            try await insert(chunk)
        }
        pending.discardReadBytes()
    }

    private func insert(_ chunk: ByteBuffer) async throws {
        let (key, index, now) = (self.key, chunks, ChatClock.wallMillis())
        try await store.guarded {
            try await store.query(
                "INSERT INTO blob_chunks (blob, chunk, data, created_at) VALUES (\(key), \(index), \(chunk), \(now))")
        }
        chunks += 1
    }

    func commit(as digest: BlobDigest) async throws {
        precondition(!finished, "a blob writer was committed twice")
        if pending.readableBytes > 0 || chunks == 0 {
            try await insert(pending)
            pending.clear()
        }
        finished = true
        let (key, size, logger) = (self.key, self.size, store.logger)
        do {
            try await store.guarded {
                try await store.transaction { connection in
                    try await connection.checkedQuery(PostgresBlobStore.lock(digest.hex), logger: logger)
                    let inserted = try await connection.checkedQuery(
                        """
                        INSERT INTO blobs (digest, size, created_at) VALUES (\(digest.hex), \(size), \(ChatClock.wallMillis()))
                        ON CONFLICT (digest) DO NOTHING RETURNING digest
                        """, logger: logger)
                    if inserted.first != nil {
                        try await connection.checkedQuery(
                            "UPDATE blob_chunks SET blob = \(digest.hex) WHERE blob = \(key)", logger: logger)
                    } else {
                        try await connection.checkedQuery("DELETE FROM blob_chunks WHERE blob = \(key)", logger: logger)
                    }
                }
            }
        } catch {
            await removeStaged()
            throw error
        }
    }

    func discard() async {
        guard !finished else { return }
        finished = true
        await removeStaged()
    }

    private func removeStaged() async {
        let key = self.key
        _ = try? await store.guarded { try await store.query("DELETE FROM blob_chunks WHERE blob = \(key)") }
    }
}
