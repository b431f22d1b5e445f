import Synchronization

/// `UploadStore` in process memory, for `--database-url memory:` (its blobs go to a temporary
/// directory). The same rules as the SQL stores, held to the same conformance suite.
extension InMemoryMessageStore: UploadStore {
    public func recordUpload(_ upload: Upload) async throws {
        uploadTables.withLock { $0.uploads[upload.id] = upload }
    }

    public func upload(id: String) async throws -> Upload? {
        uploadTables.withLock { $0.uploads[id] }
    }

    public func uploads(ids: [String], uploadedBy uploader: String) async throws -> [Upload] {
        uploadTables.withLock { tables in
            Set(ids).compactMap { tables.uploads[$0] }.filter { $0.uploader == uploader }
        }
    }

    public func readableUpload(id: String, reader: String?, now: Int64) async throws -> Upload? {
        let (upload, conversations) = uploadTables.withLock { tables in
            (tables.uploads[id], Set((tables.references[id] ?? []).map(\.conversation)))
        }
        guard let upload else { return nil }
        if let reader, reader == upload.uploader { return upload }
        // Rooms are read under their own lock: never while holding the upload tables'.
        return conversations.contains { mayRead($0, reader: reader, now: now) } ? upload : nil
    }

    public func uploadUsage(of uploader: String, since: Int64) async throws -> UploadUsage {
        uploadTables.withLock { tables in
            let own = tables.uploads.values.filter { $0.uploader == uploader }
            return UploadUsage(
                totalBytes: own.reduce(0) { $0 + $1.size }, recentCount: own.count(where: { $0.createdAt >= since }))
        }
    }

    public func collectUnreferencedUploads(createdBefore: Int64, limit: Int) async throws -> [BlobDigest] {
        uploadTables.withLock { $0.collect(createdBefore: createdBefore, limit: limit) }
    }

    public func isBlobReferenced(_ digest: BlobDigest) async throws -> Bool {
        uploadTables.withLock { tables in tables.uploads.values.contains { $0.digest == digest } }
    }
}
