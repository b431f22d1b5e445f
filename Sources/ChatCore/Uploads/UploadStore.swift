/// The upload tables: which uploads exist, who sent them, which messages carry them, and who
/// may therefore read them.
///
/// The SQLite, PostgreSQL and in-memory stores implement it beside `MessageStore` (migration 8
/// on the databases), held to `UploadStoreConformanceTests`. A message's attachments are written
/// by `MessageStore.append` in the message's own transaction (`MessageDraft.attachments`), so a
/// message and the references it makes are stored together or not at all.
public protocol UploadStore: Sendable {
    /// Records an upload whose bytes are (about to be) in the blob store.
    func recordUpload(_ upload: Upload) async throws

    /// The upload with `id`, whoever may read it.
    func upload(id: String) async throws -> Upload?

    /// The uploads among `ids` that `uploader` uploaded, in no particular order: `send` accepts
    /// only a user's own uploads as attachments.
    func uploads(ids: [String], uploadedBy uploader: String) async throws -> [Upload]

    /// The upload with `id` if `reader` may read it: its uploader, or anyone who may read a
    /// conversation with a message that carries it (the rule of `RoomStore.authorizeRead` for
    /// rooms, the two parties for a direct conversation; a guest (nil) reads public rooms).
    /// nil otherwise, the same answer as for an id that does not exist.
    func readableUpload(id: String, reader: String?, now: Int64) async throws -> Upload?

    /// What `uploader` has stored: every upload's bytes, and the uploads since `since` (ms).
    func uploadUsage(of uploader: String, since: Int64) async throws -> UploadUsage

    /// Deletes up to `limit` uploads created before `createdBefore` that no message carries.
    ///
    /// - Returns: the digests of the deleted uploads that no remaining upload shares: the blobs
    ///   the caller may now remove.
    func collectUnreferencedUploads(createdBefore: Int64, limit: Int) async throws -> [BlobDigest]

    /// Whether any upload still names `digest` (checked again just before a blob is removed).
    func isBlobReferenced(_ digest: BlobDigest) async throws -> Bool
}
