import Foundation
import NIOCore

/// A room-settings or moderation change, stored as a message of the room's `seq` stream.
///
/// Riding the `seq` stream is what makes moderation gap-free: a client that resumes with
/// `join` + `since` gets the kicks, bans and topic changes it missed in order and exactly once,
/// by the same path as messages, and every node learns of a ban from the same broker delivery
/// that carries it to the room (PROTOCOL.md, "Rooms and moderation").
public struct RoomEvent: Sendable, Equatable, Codable {
    /// What changed.
    public enum Action: String, Sendable, Codable, CaseIterable {
        case topic, visibility, invite, kick, ban, unban, mute, unmute, role

        /// Whether the event ends the target's membership of the room on every node.
        public var removesMember: Bool { self == .kick || self == .ban }
    }

    public var action: Action
    /// The user acted on (invite, kick, ban, unban, mute, unmute, role).
    public var user: String?
    public var reason: String?
    /// For ban and mute: when it ends (ms since 1970); nil for ever.
    public var until: Int64?
    public var role: RoomRole?
    public var topic: String?
    public var visibility: RoomVisibility?

    public init(
        _ action: Action, user: String? = nil, reason: String? = nil, until: Int64? = nil, role: RoomRole? = nil,
        topic: String? = nil, visibility: RoomVisibility? = nil
    ) {
        self.action = action
        self.user = user
        self.reason = reason.flatMap { $0.isEmpty ? nil : $0 }
        self.until = until
        self.role = role
        self.topic = topic
        self.visibility = visibility
    }

    /// The message text older clients show: what happened, in words, said by `actor`.
    public func text(by actor: String) -> String {
        let target = user ?? "?"
        let ending = until.map { " until \($0)" } ?? ""
        let because = reason.map { ": \($0)" } ?? ""
        return switch action {
        case .topic: "\(actor) set the topic to \"\(topic ?? "")\""
        case .visibility: "\(actor) made the room \(visibility?.rawValue ?? "?")"
        case .invite: "\(actor) invited \(target)"
        case .kick: "\(actor) removed \(target) from the room\(because)"
        case .ban: "\(actor) banned \(target)\(ending)\(because)"
        case .unban: "\(actor) lifted the ban on \(target)"
        case .mute: "\(actor) muted \(target)\(ending)\(because)"
        case .unmute: "\(actor) unmuted \(target)"
        case .role: "\(actor) made \(target) \(role?.rawValue ?? "?")"
        }
    }
}

extension RoomEvent: StoredJSON {
    public func write(to writer: inout JSONWriter) {
        writer.field("action", action.rawValue)
        writer.field("user", user)
        writer.field("reason", reason)
        writer.field("until", until)
        writer.field("role", role?.rawValue)
        writer.field("topic", topic)
        writer.field("visibility", visibility?.rawValue)
    }
}
