import Foundation
import NIOCore

/// A change to an earlier message of a conversation: an edit, a delete, or a reaction. It is
/// stored as an entry of the conversation's `seq` stream (so `since` and `resume` replay it
/// exactly once, in order, like a message) and applied to the target message in the same
/// transaction (so `history` shows the message's current state).
public struct MessageUpdate: Sendable, Equatable, Codable {
    /// What changed.
    public enum Action: String, Sendable, Codable, CaseIterable {
        case edit, delete, react
    }

    public var action: Action
    /// The `seq` of the message changed.
    public var seq: Int64
    /// For `edit`: the new text.
    public var text: String?
    /// For `react`: the emoji.
    public var emoji: String?
    /// For `react`: added (true) or taken back (false).
    public var on: Bool?

    public init(_ action: Action, seq: Int64, text: String? = nil, emoji: String? = nil, on: Bool? = nil) {
        self.action = action
        self.seq = seq
        self.text = text
        self.emoji = emoji
        self.on = on
    }
}

extension MessageUpdate: StoredJSON {
    public func write(to writer: inout JSONWriter) {
        writer.field("action", action.rawValue)
        writer.field("seq", seq)
        writer.field("text", text)
        writer.field("emoji", emoji)
        writer.field("on", on)
    }
}
