package import ChatCore

/// One line of a `rabbitchat export` file (JSON Lines): docs/OPERATIONS.md, "Export and import".
///
/// The first line is the `export` header; then, per conversation, a `room` line (a room's
/// settings, rooms only), a `conversation` line (its identity) and its `message` lines in seq
/// order, every retained message with its whole state (edits, tombstones, reactions, reply
/// quotes, room events). A user's export adds `authored` lines: the user's own messages in
/// rooms, which are theirs to read but not a room's history, so `import` skips them.
package struct ArchiveLine: Codable, Sendable {
    /// What the line holds.
    package enum Kind: String, Codable, Sendable {
        case export, room, conversation, message, authored
    }

    package var type: Kind
    /// `export`: the format's version (`ArchiveLine.formatVersion`).
    package var format: Int?
    /// `export`: what was exported, `room:<name>` or `user:<name>`.
    package var scope: String?
    /// `export`: when (ms since 1970).
    package var exportedAt: Int64?
    /// `room`: the room's settings.
    package var room: ArchivedRoom?
    /// `conversation`: its identity.
    package var conversation: ArchivedConversation?
    /// `message` and `authored`: the stored message.
    package var message: StoredMessage?

    /// The version this build writes and reads.
    package static let formatVersion = 1

    package init(
        type: Kind, format: Int? = nil, scope: String? = nil, exportedAt: Int64? = nil, room: ArchivedRoom? = nil,
        conversation: ArchivedConversation? = nil, message: StoredMessage? = nil
    ) {
        self.type = type
        self.format = format
        self.scope = scope
        self.exportedAt = exportedAt
        self.room = room
        self.conversation = conversation
        self.message = message
    }
}
