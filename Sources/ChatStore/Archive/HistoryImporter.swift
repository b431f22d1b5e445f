import ChatCore
import Foundation

/// Reads `rabbitchat export`'s JSON Lines back into a store (`ArchiveLine`).
///
/// Each conversation is restored with its epoch, seqs and pruned-through mark, so clients that
/// knew it resume on the new store exactly as on the old one; its messages are written with
/// every column in transactions of `batchSize`. A room line creates the room (settings and
/// retention override) when the store has no room of that name and leaves an existing one as
/// it is. `authored` lines (a user's messages in rooms) are counted and skipped: they are not a
/// room's history.
///
/// An import never merges: a conversation that already has messages in the store stops it. It
/// checks as it goes that every conversation's messages run from its mark to its last seq
/// without a hole, and stops at the first line that breaks that; conversations finished before
/// stay imported (the error names the line).
package struct HistoryImporter: Sendable {
    /// What an import wrote.
    package struct Summary: Sendable, Equatable {
        package var conversations = 0
        package var messages = 0
        package var roomsCreated = 0
        package var roomsKept = 0
        /// `authored` lines skipped.
        package var skipped = 0
    }

    let store: any ArchivableStore
    let batchSize: Int

    package init(store: any ArchivableStore, batchSize: Int = 1_000) {
        self.store = store
        self.batchSize = batchSize
    }

    /// The conversation being restored and the seq its next message must have.
    private struct Open {
        var archived: ArchivedConversation
        var key: String
        var nextSeq: Int64
        var batch: [StoredMessage] = []
    }

    /// Imports the lines `nextLine` returns until it returns nil.
    ///
    /// - Parameter now: when (ms since 1970) the rooms' creation is logged.
    /// - Throws: `ArchiveError` naming the line that cannot be imported.
    package func importLines(now: Int64, _ nextLine: () throws -> String?) async throws -> Summary {
        let decoder = JSONDecoder()
        var summary = Summary()
        var lineNumber = 0
        var sawHeader = false
        var open: Open?
        while let text = try nextLine() {
            lineNumber += 1
            guard !text.allSatisfy(\.isWhitespace) else { continue }
            let line: ArchiveLine
            do {
                line = try decoder.decode(ArchiveLine.self, from: Data(text.utf8))
            } catch {
                throw ArchiveError("line \(lineNumber): not a line of an export: \(error)")
            }
            guard sawHeader else {
                guard line.type == .export, line.format == ArchiveLine.formatVersion else {
                    throw ArchiveError(
                        "line \(lineNumber): an export starts with its header of format \(ArchiveLine.formatVersion)")
                }
                sawHeader = true
                continue
            }
            switch line.type {
            case .export:
                throw ArchiveError("line \(lineNumber): a second header (concatenated exports: import them one by one)")
            case .room:
                guard let room = line.room else { throw ArchiveError("line \(lineNumber): a room line without `room`") }
                try await finish(&open, summary: &summary, line: lineNumber)
                if try await restore(room, now: now) { summary.roomsCreated += 1 } else { summary.roomsKept += 1 }
            case .conversation:
                guard let archived = line.conversation, let conversation = archived.conversation else {
                    throw ArchiveError("line \(lineNumber): a conversation line without a known conversation")
                }
                try await finish(&open, summary: &summary, line: lineNumber)
                do {
                    try await store.restoreConversation(archived)
                } catch let error as ArchiveError {
                    throw ArchiveError("line \(lineNumber): \(error.description)")
                }
                open = Open(archived: archived, key: conversation.key, nextSeq: archived.prunedThrough + 1)
            case .message:
                guard let message = line.message else {
                    throw ArchiveError("line \(lineNumber): a message line without `message`")
                }
                guard open?.key == message.conversationKey, open?.nextSeq == message.seq else {
                    throw ArchiveError(
                        "line \(lineNumber): \(message.conversationKey) seq \(message.seq) is not the next message of "
                            + (open.map { "\($0.key) (seq \($0.nextSeq))" } ?? "any conversation"))
                }
                open!.batch.append(message)
                open!.nextSeq += 1
                if open!.batch.count >= batchSize {
                    try await store.restoreMessages(open!.batch)
                    summary.messages += open!.batch.count
                    open!.batch.removeAll(keepingCapacity: true)
                }
            case .authored:
                summary.skipped += 1
            }
        }
        guard sawHeader else { throw ArchiveError("the file is empty") }
        try await finish(&open, summary: &summary, line: lineNumber)
        return summary
    }

    /// Writes the open conversation's last batch and checks it reached its last seq.
    private func finish(_ open: inout Open?, summary: inout Summary, line: Int) async throws {
        guard let current = open else { return }
        if !current.batch.isEmpty {
            try await store.restoreMessages(current.batch)
            summary.messages += current.batch.count
        }
        guard current.nextSeq == current.archived.lastSeq + 1 else {
            throw ArchiveError(
                "line \(line): \(current.key) ends at seq \(current.nextSeq - 1), but its header says \(current.archived.lastSeq)"
            )
        }
        summary.conversations += 1
        open = nil
    }

    /// Creates the room when the store has none of its name; returns whether it did.
    private func restore(_ archived: ArchivedRoom, now: Int64) async throws -> Bool {
        guard try await store.room(named: archived.name) == nil else { return false }
        // Created public, then given its visibility by the operator: a private room's creator
        // may have no account in this store, and only accounts may create private rooms.
        let room = Room(
            name: archived.name, topic: archived.topic, visibility: .public, creator: archived.creator,
            createdAt: archived.createdAt)
        _ = try await store.createRoom(room)
        if archived.visibility != .public {
            _ = try await store.updateRoom(
                named: archived.name, topic: nil, visibility: archived.visibility, by: .serverOperator, now: now)
        }
        if let days = archived.retentionDays {
            try await store.setRoomRetention(days, of: archived.name, by: .serverOperator, now: now)
        }
        return true
    }
}
