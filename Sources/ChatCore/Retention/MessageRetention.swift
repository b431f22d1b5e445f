/// A store that can forget old history: the background pruning of `--retention-days`, the
/// per-room override, and `rabbitchat prune`.
///
/// Pruning removes a conversation's oldest messages as a *prefix* of its `seq` stream: every
/// `seq` up to the conversation's pruned-through mark is gone, every later one is kept. Seqs are
/// never renumbered and the epoch does not change, so the messages a client holds stay valid;
/// a client resuming from before the mark gets `recovered: false` (`ConversationState
/// .firstAvailableSeq` is the mark plus one). A prefix, not "every message older than the
/// cutoff": a message stored with an older timestamp after a newer one (a clock step) waits for
/// the newer one, so the retained range never has a hole.
///
/// Each call of `pruneOldest` is one short transaction of at most `limit` rows, so a prune of
/// millions of rows is many small commits between which appends go on (`RetentionService`
/// paces them).
public protocol MessageRetention: Sendable {
    /// The stored conversations after `key` (nil: from the first), by key, at most `limit`,
    /// each with its room's retention override: the pruner's walk over the store.
    func retentionScopes(after key: String?, limit: Int) async throws -> [RetentionScope]

    /// Prunes the oldest messages of `conversation` stored before `cutoff` (ms since 1970), at
    /// most `limit` of them, in one transaction.
    ///
    /// With them go their search index entries, and what other messages still carry of them:
    /// the quoted text of replies to them and the text of edits of them.
    ///
    /// - Returns: how many messages were pruned; fewer than `limit` when the conversation has
    ///   no more messages older than `cutoff`.
    func pruneOldest(of conversation: Conversation, before cutoff: Int64, limit: Int) async throws -> Int

    /// What `pruneOldest` would remove with `cutoff`, per conversation (only those with
    /// something to remove), by key: `rabbitchat prune --dry-run`.
    ///
    /// - Parameter room: only this room's conversation (any case); nil: every conversation.
    func prunePreview(before cutoff: Int64, room: String?) async throws -> [PrunePreview]

    /// The retention override of the stored room `name` (any case): nil when it follows the
    /// server's `--retention-days`, 0 when it keeps everything, else its days.
    ///
    /// - Throws: `RoomStoreError(.noSuchRoom)`.
    func roomRetention(of name: String) async throws -> Int?

    /// Sets (or with nil, removes) the retention override of the stored room `name`.
    ///
    /// Retention is the operator's policy (how long a server keeps what people wrote), so only
    /// a server admin or the operator may set it, not a room's owner (`RoomPolicy
    /// .authorizeRetention`). The change is recorded in the moderation log.
    ///
    /// - Throws: `RoomStoreError(.noSuchRoom)`, `.forbidden`.
    func setRoomRetention(_ days: Int?, of name: String, by actor: RoomActor, now: Int64) async throws
}
