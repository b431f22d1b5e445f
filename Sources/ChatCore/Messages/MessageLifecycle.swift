/// The rules of edits, deletes, reactions and replies, as pure functions every store applies
/// inside the transaction that appends the entry recording them, so memory, SQLite and
/// PostgreSQL decide alike.
public enum MessageLifecycle {
    /// Whether a stored entry is a message people wrote (not an update entry or a room event):
    /// only those can be edited, deleted, reacted to or replied to.
    public static func isChangeable(_ message: StoredMessage) -> Bool {
        message.update == nil && message.event == nil
    }

    /// The target of `draft.update` after the change, or nil when the change changes nothing
    /// (a reaction already there, or taken back twice; a delete of a deleted message).
    ///
    /// - Throws: `noSuchMessage` (the target is an update or an event), `notAuthor`,
    ///   `messageDeleted`, `tooManyReactions`.
    public static func apply(_ draft: MessageDraft, to target: StoredMessage) throws(StoreError) -> StoredMessage? {
        guard let update = draft.update else { return nil }
        guard isChangeable(target) else {
            throw StoreError(.noSuchMessage, "seq \(update.seq) is not a message that can be changed")
        }
        var changed = target
        switch update.action {
        case .edit:
            guard target.from == draft.from else {
                throw StoreError(.notAuthor, "only its author can edit a message")
            }
            guard target.deletedBy == nil else { throw StoreError(.messageDeleted, "the message was deleted") }
            changed.text = update.text ?? target.text
            changed.editedAt = draft.timestamp
        case .delete:
            guard target.from == draft.from || draft.mayDeleteOthers else {
                throw StoreError(.notAuthor, "only its author or a moderator can delete a message")
            }
            guard target.deletedBy == nil else { return nil }
            changed.text = ""
            changed.deletedBy = draft.from
            changed.reactions = MessageReactions()
            // Its files leave with it: no longer readable through it, collected once no other
            // message carries them.
            changed.attachments = []
            changed.replyTo = target.replyTo.map { MessageQuote(seq: $0.seq, from: $0.from, text: "") }
        case .react:
            guard target.deletedBy == nil else { throw StoreError(.messageDeleted, "the message was deleted") }
            do {
                guard try changed.reactions.apply(update.emoji ?? "", by: draft.from, on: update.on ?? true) else {
                    return nil
                }
            } catch {
                throw StoreError(
                    .tooManyReactions,
                    "a message carries at most \(MessageReactions.maxDistinctEmoji) different emoji")
            }
        }
        return changed
    }

    /// The quote a reply to `original` keeps.
    ///
    /// - Throws: `noSuchMessage` (an update or an event), `messageDeleted`.
    public static func quote(of original: StoredMessage) throws(StoreError) -> MessageQuote {
        guard isChangeable(original) else {
            throw StoreError(.noSuchMessage, "seq \(original.seq) is not a message that can be answered")
        }
        guard original.deletedBy == nil else { throw StoreError(.messageDeleted, "the message was deleted") }
        return MessageQuote(seq: original.seq, from: original.from, text: original.text)
    }

    /// Whether a retried draft is the same request as the entry its `cid` already stored.
    public static func isSameRequest(_ draft: MessageDraft, as previous: StoredMessage) -> Bool {
        previous.conversationKey == draft.conversation.key && previous.text == draft.text
            && previous.update == draft.update && previous.replyTo?.seq == draft.replyTo
            && previous.attachments.map(\.id) == draft.attachments.map(\.id)
    }
}
