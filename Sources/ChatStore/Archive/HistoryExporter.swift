import ChatCore
import Foundation

/// Writes `rabbitchat export`'s JSON Lines (`ArchiveLine`): a room's history, or a user's.
///
/// A user's export is what the user can read of their own: their direct conversations in full
/// (both sides: those are the user's conversations) and, as `authored` lines, every message
/// they sent in a room (not the others' messages there: those are the room's history, exported
/// with `--room`).
///
/// Each conversation is read in pages from its pruned-through mark up to the last seq its
/// `conversation` line names, so an export of a live store is a consistent cut (later messages
/// wait for the next export). A prune that overtakes the export fails it rather than writing a
/// history with a hole.
package struct HistoryExporter: Sendable {
    /// What an export wrote.
    package struct Summary: Sendable, Equatable {
        package var conversations = 0
        package var messages = 0
        package var authored = 0
    }

    let store: any ArchivableStore
    let pageSize: Int

    package init(store: any ArchivableStore, pageSize: Int = 1_000) {
        self.store = store
        self.pageSize = pageSize
    }

    /// Exports room `name` (any case): its settings, identity and retained messages.
    ///
    /// - Throws: `ArchiveError` when the store has no history of that room.
    package func exportRoom(_ name: String, now: Int64, to write: (String) throws -> Void) async throws -> Summary {
        let room = try await store.room(named: name)
        let conversation = Conversation.room(room?.name ?? name)
        guard let archived = try await store.archivedConversation(conversation) else {
            throw ArchiveError("no history of room `\(name)` in this store")
        }
        let encoder = LineEncoder()
        try write(
            encoder.encode(
                ArchiveLine(type: .export, format: ArchiveLine.formatVersion, scope: conversation.key, exportedAt: now))
        )
        if let room {
            let days = try await store.roomRetention(of: room.name)
            try write(encoder.encode(ArchiveLine(type: .room, room: ArchivedRoom(room, retentionDays: days))))
        }
        var summary = Summary()
        summary.messages = try await export(archived, conversation, encoder: encoder, to: write)
        summary.conversations = 1
        return summary
    }

    /// Exports what belongs to `user`: their direct conversations and their room messages.
    package func exportUser(_ user: String, now: Int64, to write: (String) throws -> Void) async throws -> Summary {
        let encoder = LineEncoder()
        try write(
            encoder.encode(
                ArchiveLine(type: .export, format: ArchiveLine.formatVersion, scope: "user:\(user)", exportedAt: now)))
        var summary = Summary()
        for conversation in try await store.directConversations(of: user) {
            guard let archived = try await store.archivedConversation(conversation) else { continue }
            summary.messages += try await export(archived, conversation, encoder: encoder, to: write)
            summary.conversations += 1
        }
        var afterKey = ""
        var afterSeq: Int64 = 0
        while true {
            let page = try await store.roomMessages(
                sentBy: user, afterKey: afterKey, afterSeq: afterSeq, limit: pageSize)
            for message in page { try write(encoder.encode(ArchiveLine(type: .authored, message: message))) }
            summary.authored += page.count
            guard page.count == pageSize, let last = page.last else { return summary }
            (afterKey, afterSeq) = (last.conversationKey, last.seq)
        }
    }

    /// Writes one conversation's line and its messages; returns how many messages.
    private func export(
        _ archived: ArchivedConversation, _ conversation: Conversation, encoder: LineEncoder,
        to write: (String) throws -> Void
    ) async throws -> Int {
        try write(encoder.encode(ArchiveLine(type: .conversation, conversation: archived)))
        var cursor = archived.prunedThrough
        var count = 0
        while cursor < archived.lastSeq {
            let page = try await store.messages(
                in: conversation, after: cursor, limit: min(pageSize, Int(archived.lastSeq - cursor)))
            guard let first = page.first else { break }
            guard first.seq == cursor + 1 else {
                throw ArchiveError(
                    "\(conversation.key) was pruned while it was exported (seq \(cursor + 1) is gone); export again")
            }
            for message in page { try write(encoder.encode(ArchiveLine(type: .message, message: message))) }
            count += page.count
            cursor = page.last!.seq
        }
        guard cursor >= archived.lastSeq else {
            throw ArchiveError("\(conversation.key) ends at seq \(cursor), not \(archived.lastSeq); export again")
        }
        return count
    }
}

/// Encodes `ArchiveLine`s, one JSON object each, with one encoder for the whole file.
struct LineEncoder {
    let encoder: JSONEncoder

    init() {
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    func encode(_ line: ArchiveLine) throws -> String {
        String(decoding: try encoder.encode(line), as: UTF8.self)
    }
}
