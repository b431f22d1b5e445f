/// One versioned step of a store's schema.
///
/// Each store applies its list in order, each step in its own transaction, and records the
/// version in `schema_migrations`, so starting the server again (or a second node at the same
/// time, on PostgreSQL) applies nothing twice.
struct Migration: Sendable {
    /// Increasing from 1, without gaps.
    var version: Int
    /// What the step does, recorded for operators.
    var name: String
    /// The statements, run in order inside one transaction.
    var statements: [String]
    /// Work only Swift can do, run after `statements` in the same transaction.
    var backfill: Backfill? = nil
    /// Statements run after `backfill`, in the same transaction.
    var finally: [String] = []

    /// What a migration computes in Swift for the rows already stored.
    enum Backfill: Sendable {
        /// `messages.search_text` of every chat message (not room events):
        /// `SearchTextNormalizer.indexText` of its text.
        case searchText
    }
}
