import Foundation
import NIOCore

/// Who reacted to a message with which emoji: unique per (user, emoji), at most
/// `maxDistinctEmoji` emoji per message. The count of an emoji is its number of users, and a
/// client knows whether *it* reacted by finding its name.
public struct MessageReactions: Sendable, Equatable, Codable {
    /// Distinct emoji one message may carry.
    public static let maxDistinctEmoji = 20

    /// Emoji → users, in the order they reacted; emoji in the order first used.
    public private(set) var entries: [Entry]

    /// One emoji and who reacted with it.
    public struct Entry: Sendable, Equatable, Codable {
        public var emoji: String
        public var users: [String]

        enum CodingKeys: String, CodingKey { case emoji, count, users }

        public init(emoji: String, users: [String]) {
            self.emoji = emoji
            self.users = users
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            emoji = try container.decode(String.self, forKey: .emoji)
            users = try container.decode([String].self, forKey: .users)
        }

        /// With `count`, as the frames carry it (the stores keep it too; it is not read back).
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(emoji, forKey: .emoji)
            try container.encode(users.count, forKey: .count)
            try container.encode(users, forKey: .users)
        }
    }

    public init(entries: [Entry] = []) { self.entries = entries }

    public var isEmpty: Bool { entries.isEmpty }

    /// Why a reaction was refused.
    public enum Refusal: Error, Sendable, Equatable {
        case tooManyEmoji
    }

    /// Adds (`on`) or takes back `user`'s `emoji`; returns whether anything changed.
    ///
    /// - Throws: `Refusal.tooManyEmoji` when a new emoji would be the 21st.
    public mutating func apply(_ emoji: String, by user: String, on: Bool) throws(Refusal) -> Bool {
        let index = entries.firstIndex { $0.emoji == emoji }
        if on {
            if let index {
                guard !entries[index].users.contains(user) else { return false }
                entries[index].users.append(user)
                return true
            }
            guard entries.count < Self.maxDistinctEmoji else { throw .tooManyEmoji }
            entries.append(Entry(emoji: emoji, users: [user]))
            return true
        }
        guard let index, let position = entries[index].users.firstIndex(of: user) else { return false }
        entries[index].users.remove(at: position)
        if entries[index].users.isEmpty { entries.remove(at: index) }
        return true
    }

    /// The JSON the stores keep in a message's `reactions` column.
    public var storedJSON: String {
        String(decoding: (try? JSONEncoder().encode(entries)) ?? Data("[]".utf8), as: UTF8.self)
    }

    /// Reads a stored `reactions` column back (an unreadable one reads as none).
    public init(storedJSON: String?) {
        guard let storedJSON, let entries = try? JSONDecoder().decode([Entry].self, from: Data(storedJSON.utf8)) else {
            self.init()
            return
        }
        self.init(entries: entries)
    }
}

extension MessageReactions.Entry: HandEncodedFrame {
    public func write(to writer: inout JSONWriter) {
        writer.field("emoji", emoji)
        writer.field("count", Int64(users.count))
        writer.field("users", users)
    }
}
