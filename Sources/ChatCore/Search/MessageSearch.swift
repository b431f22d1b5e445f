/// Full-text search over stored messages, limited to what the reader may read.
///
/// One capability, three implementations that answer one conformance suite: SQLite (FTS5),
/// PostgreSQL (`tsvector` with a GIN index) and the in-memory store (a case- and
/// accent-insensitive substring search). The store decides what the reader may read, inside the
/// query and from its own rooms and accounts, never from a list the caller passes: public
/// rooms, the reader's `private` and `invite` rooms (every room for a server admin) and the
/// reader's direct conversations. A conversation the reader may not read contributes nothing,
/// not even to whether there is a next page.
///
/// Room events (messages with `event`), edit/delete/reaction entries and deleted messages never
/// match, and an edited message matches its current text; each store keeps the "which messages
/// are searchable" condition in one place (`searchable` in each implementation).
public protocol MessageSearch: Sendable {
    /// The newest messages matching `query.terms` that `query.reader` may read, newest first.
    ///
    /// - Throws: `StoreError(.unavailable)` when the store cannot be reached.
    func search(_ query: SearchQuery) async throws -> SearchPage
}
