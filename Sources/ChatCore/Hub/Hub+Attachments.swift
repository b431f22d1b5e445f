/// `send.attachments`: the uploads a message carries.
extension Hub {
    /// Checks the ids a `send` names and returns what the message will show of each, in the
    /// sender's order.
    ///
    /// Only the sender's own uploads are accepted: an id that does not exist and one someone
    /// else uploaded get the same `no_such_upload`, so a send never tells whether another
    /// user's upload exists. The store checks again, in the append's transaction, that each is
    /// still stored (a collection may have taken it since).
    ///
    /// - Throws: `too_many_attachments` beyond `MessageDraft.maxAttachments`, `invalid_field`
    ///   for an id that is no upload id or is named twice, `no_such_upload`, `unavailable`.
    func resolveAttachments(
        _ ids: [String]?, of user: String, cid: String, deadline: Deadline
    ) async throws
        -> [MessageAttachment]
    {
        guard let ids, !ids.isEmpty else { return [] }
        guard ids.count <= MessageDraft.maxAttachments else {
            throw ProtocolError(
                .tooManyAttachments, "a message may carry at most \(MessageDraft.maxAttachments) attachments",
                cid: cid, ref: "send")
        }
        guard ids.allSatisfy(Upload.isValidID), Set(ids).count == ids.count else {
            throw ProtocolError(
                .invalidField, "field `attachments` must hold distinct upload ids (from POST /api/uploads)", cid: cid,
                ref: "send")
        }
        guard let uploads = store as? any UploadStore else {
            throw ProtocolError(.noSuchUpload, "this server stores no uploads", cid: cid, ref: "send")
        }
        let found: [Upload]
        do {
            found = try await deadline.run("upload lookup") { try await uploads.uploads(ids: ids, uploadedBy: user) }
        } catch {
            throw ProtocolError(.unavailable, Self.storeUnavailable(error), cid: cid, ref: "send")
        }
        let byID = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return try ids.map { id throws(ProtocolError) in
            guard let upload = byID[id] else {
                throw ProtocolError(
                    .noSuchUpload, "upload `\(id)` does not exist or is not yours", cid: cid, ref: "send")
            }
            return upload.attachment
        }
    }
}
