import ChatCore
import Synchronization

/// Batches concurrent appends into one transaction: group commit.
///
/// Each conversation appends in order (the hub's lane), but many conversations append at once,
/// and a transaction's commit (an fsync on SQLite, a round trip on PostgreSQL) costs far more
/// than its statements. The first append to arrive while no batch is being written starts one;
/// appends that arrive meanwhile wait and go, together, into the next. Every append still gets
/// its own result, and is answered only after the transaction that holds it committed.
final class GroupCommit: Sendable {
    typealias Outcome = Result<AppendResult, any Error>
    /// Writes a batch in one transaction: one outcome per draft, in order. A per-draft refusal
    /// (a reused cid) is that draft's failure; a thrown error fails the whole batch.
    typealias Writer = @Sendable ([MessageDraft]) async throws -> [Outcome]

    private struct Waiting {
        var draft: MessageDraft
        var continuation: CheckedContinuation<AppendResult, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var writing = false
    }

    private let state = Mutex(State())
    private let maxBatch: Int
    private let write: Writer

    /// - Parameters:
    ///   - maxBatch: most drafts in one transaction, so one commit stays short.
    ///   - write: writes one batch.
    init(maxBatch: Int = 256, write: @escaping Writer) {
        self.maxBatch = maxBatch
        self.write = write
    }

    /// Appends `draft` in the next batch and returns its result once that batch committed.
    func append(_ draft: MessageDraft) async throws -> AppendResult {
        try await withCheckedThrowingContinuation { continuation in
            let leads = state.withLock { state -> Bool in
                state.waiting.append(Waiting(draft: draft, continuation: continuation))
                guard !state.writing else { return false }
                state.writing = true
                return true
            }
            if leads {
                Task { await self.writeBatches() }
            }
        }
    }

    /// Writes batches until nobody waits.
    private func writeBatches() async {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                let batch = Array(state.waiting.prefix(maxBatch))
                state.waiting.removeFirst(batch.count)
                if batch.isEmpty { state.writing = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                let outcomes = try await write(batch.map(\.draft))
                precondition(
                    outcomes.count == batch.count,
                    "GroupCommit writer returned \(outcomes.count) outcomes for \(batch.count) drafts")
                for (waiting, outcome) in zip(batch, outcomes) { waiting.continuation.resume(with: outcome) }
            } catch {
                for waiting in batch { waiting.continuation.resume(throwing: error) }
            }
        }
    }
}
