import ChatCore
import NIOCore

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
            try await insert(pending.readSlice(length: BlobStoreLimits.chunkBytes)!)
        }
        pending.discardReadBytes()
    }

    private func insert(_ chunk: ByteBuffer) async throws {
        try await store.insertBlobChunk(key: key, index: chunks, data: chunk)
        chunks += 1
    }

    func commit(as digest: BlobDigest) async throws {
        precondition(!finished, "a blob writer was committed twice")
        if pending.readableBytes > 0 || chunks == 0 {
            try await insert(pending)
            pending.clear()
        }
        finished = true
        do {
            try await store.commitBlob(staged: key, as: digest, size: size)
        } catch {
            await store.removeStagedBlob(key: key)
            throw error
        }
    }

    func discard() async {
        guard !finished else { return }
        finished = true
        await store.removeStagedBlob(key: key)
    }
}
