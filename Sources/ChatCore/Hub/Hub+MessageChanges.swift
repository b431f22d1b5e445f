import Foundation

/// `edit`, `delete` and `react`, and what the room store adds to them: who may delete someone
/// else's message. The store applies the change and appends the `update` entry in one
/// transaction (`MessageLifecycle`); the hub publishes the entry like a message.
extension Hub {
    /// Longest emoji (a grapheme cluster, in UTF-8 bytes) a reaction may use.
    static let maxEmojiBytes = 32

    func handleChange(_ frame: MessageChangeFrame, from id: SessionID, user: String, deadline: Deadline) async throws {
        let cid = frame.cid
        let ref = frame.action.rawValue
        guard !cid.isEmpty, cid.utf8.count <= 64, !cid.utf8.contains(0) else {
            throw ProtocolError(.invalidField, "field `cid` must be 1 to 64 bytes, without NUL", cid: cid, ref: ref)
        }
        guard frame.seq >= 1 else {
            throw ProtocolError(.invalidField, "field `seq` must be 1 or more", cid: cid, ref: ref)
        }
        var update = MessageUpdate(frame.action, seq: frame.seq)
        switch frame.action {
        case .edit:
            guard let text = frame.text else {
                throw ProtocolError(.invalidField, "missing field `text`", cid: cid, ref: ref)
            }
            try validateText(text, cid: cid, ref: ref)
            update.text = text
        case .react:
            guard let emoji = frame.emoji, emoji.count == 1, emoji.utf8.count <= Self.maxEmojiBytes,
                !emoji.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 })
            else {
                throw ProtocolError(
                    .invalidField,
                    "field `emoji` must be one emoji (one character, at most \(Self.maxEmojiBytes) bytes)",
                    cid: cid, ref: ref)
            }
            update.emoji = emoji
            update.on = frame.on
        case .delete:
            break
        }
        guard !deadline.hasPassed else {
            throw ProtocolError(
                .unavailable,
                "the \(ref) waited behind this session's earlier frames past the send timeout; retry with the same cid",
                cid: cid, ref: ref)
        }
        let conversation = try conversation(
            for: frame.target, user: user, ref: ref, cid: cid, requireMembership: true, requireOnlinePeer: false,
            session: id)
        if case .direct = conversation, conversation.peer(of: user) == nil {
            throw ProtocolError(.forbidden, "not your conversation", cid: cid, ref: ref)
        }
        var mayDeleteOthers = membership[id]?.admin == true
        if frame.action == .delete, !mayDeleteOthers, case .room(let room) = conversation, let rooms = roomStore {
            // Moderators and owners delete any message of their room; the store checks the
            // author for everyone else.
            let role = try? await deadline.run("room role read") { try await rooms.role(of: user, in: room) }
            mayDeleteOthers = (role ?? nil).map { $0 >= .moderator } ?? false
        }
        let draft = MessageDraft(
            conversation: conversation, from: user, text: "", clientID: cid, timestamp: configuration.wallClock(),
            update: update, mayDeleteOthers: mayDeleteOthers)
        let result = try await storeAndPublish(draft, session: id, ref: ref, deadline: deadline)
        acknowledge(result, of: frame.target, cid: cid, to: id)
    }

    /// A message text's rules, for `send` and `edit`: 1 to `maxTextScalars` characters, no NUL.
    func validateText(_ text: String, cid: String, ref: String) throws(ProtocolError) {
        let scalars = text.unicodeScalars.count
        guard scalars > 0 else {
            throw ProtocolError(.emptyText, "text must not be empty", cid: cid, ref: ref)
        }
        // PostgreSQL text cannot hold NUL; refusing it everywhere keeps the stores interchangeable.
        guard !text.unicodeScalars.contains("\u{0}") else {
            throw ProtocolError(.invalidField, "text must not contain NUL (U+0000)", cid: cid, ref: ref)
        }
        guard scalars <= configuration.limits.maxTextScalars else {
            throw ProtocolError(
                .textTooLong, "text has \(scalars) characters; the limit is \(configuration.limits.maxTextScalars)",
                cid: cid, ref: ref)
        }
    }
}
