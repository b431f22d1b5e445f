/// The upload tables of `InMemoryMessageStore`: the uploads, and which conversations carry each.
///
/// A plain value under the store's lock; the rules (who may read, what is collected) are the
/// ones the SQL stores state in their queries.
struct InMemoryUploads: Sendable {
    var uploads: [String: Upload] = [:]
    /// Upload id → the conversations with a message that carries it.
    var references: [String: Set<Conversation>] = [:]

    /// Records that a message of `conversation` carries `ids`.
    ///
    /// - Throws: `noSuchUpload` when one of them is not stored; nothing is recorded then.
    mutating func reference(_ ids: [String], from conversation: Conversation) throws(StoreError) {
        for id in ids where uploads[id] == nil {
            throw StoreError(.noSuchUpload, "upload \(id) is not stored")
        }
        for id in ids { references[id, default: []].insert(conversation) }
    }

    /// Deletes up to `limit` unreferenced uploads created before `createdBefore`; returns the
    /// digests no remaining upload names.
    mutating func collect(createdBefore: Int64, limit: Int) -> [BlobDigest] {
        let expired = uploads.values
            .filter { $0.createdAt < createdBefore && references[$0.id] == nil }
            .sorted { $0.createdAt < $1.createdAt }
            .prefix(limit)
        for upload in expired { uploads[upload.id] = nil }
        let remaining = Set(uploads.values.map(\.digest))
        return Array(Set(expired.map(\.digest)).subtracting(remaining))
    }
}
