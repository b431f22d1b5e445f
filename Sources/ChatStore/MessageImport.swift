package import ChatCore

/// Bulk loading, for `rabbitchat bench search`: a million messages through `append` would
/// take an hour; this stores them with the `seq`s they carry, thousands per transaction, with
/// the same triggers and generated columns (so the search index is built as in production).
///
/// Not for live use: it trusts the caller's seqs (gap-free per conversation, above what is
/// stored), skips the idempotence check and stores plain chat messages (no event, update, reply
/// or mentions).
package protocol MessageImport: Sendable {
    /// Stores `batch` in one transaction, creating missing conversations and raising their
    /// `last_seq` to the newest seq imported.
    func importMessages(_ batch: [ImportedMessage]) async throws

    /// How many messages the store holds.
    func messageCount() async throws -> Int

    /// Brings the planner's statistics up to date after a load (what autovacuum would do).
    func analyze() async throws
}

/// One message to import and its conversation.
package struct ImportedMessage: Sendable {
    /// Where the message goes: its row in `conversations` is created when missing.
    package var conversation: Conversation
    /// The message as stored, `seq` included.
    package var message: StoredMessage

    package init(conversation: Conversation, message: StoredMessage) {
        self.conversation = conversation
        self.message = message
    }
}
