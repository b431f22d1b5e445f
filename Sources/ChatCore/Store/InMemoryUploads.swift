/// The upload tables of `InMemoryMessageStore`: the uploads, and which messages carry each.
///
/// A plain value under the store's lock; the rules (who may read, what is collected) are the
/// ones the SQL stores state in their queries.
struct InMemoryUploads: Sendable {
    var uploads: [String: Upload] = [:]
    /// Upload id → the messages that carry it.
    var references: [String: Set<MessageReference>] = [:]

    /// - Throws: `noSuchUpload` when one of `ids` is not stored.
    func checkStored(_ ids: [String]) throws(StoreError) {
        for id in ids where uploads[id] == nil {
            throw StoreError(.noSuchUpload, "upload \(id) is not stored")
        }
    }

    /// Records that `message` carries `ids` (checked with `checkStored` under the same lock).
    mutating func reference(_ ids: [String], from message: MessageReference) {
        for id in ids { references[id, default: []].insert(message) }
    }

    /// A deleted message carries nothing any more.
    mutating func dropReferences(from message: MessageReference) {
        for id in Array(references.keys) {
            references[id]?.remove(message)
            if references[id]?.isEmpty == true { references[id] = nil }
        }
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
