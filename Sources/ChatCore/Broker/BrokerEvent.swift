import Foundation
import NIOCore

/// The payload of every message the `Hub` puts on the broker.
///
/// One flat JSON shape for all kinds keeps the broker payload readable in the RabbitMQ
/// management UI. Every kind but `announce` is written and read by hand (`JSONWriter`,
/// `FlatJSONObject`): they are on the hot path, once per event on every node. A chat message
/// travels as its `message` frame, encoded once by the publisher, so no node encodes it again
/// before writing it to its sockets. (`announce`, periodic and nested, goes through `Codable`.)
struct BrokerEvent: Codable, Sendable, Equatable {
    enum Kind: String, Codable, Sendable {
        /// A stored chat message (`room.<r>.msg`, `user.<u>.msg`).
        case message = "msg"
        /// Typing started or stopped (`room.<r>.typing`, `user.<u>.typing`).
        case typing
        /// A user's first session joined a room on a node, or its last one left
        /// (`room.<r>.presence`).
        case presence
        /// A read position moved (`room.<r>.receipt`, `user.<u>.receipt`).
        case receipt
        /// A user came online on a node or went offline there (`cluster.online`).
        case online
        /// A node's periodic list of its members (`cluster.announce`): every room with its local
        /// users, and every user with a session on the node. Silence means the node is gone.
        case announce
        /// A frame for every session of one user (`user.<u>.notice`): an invitation, a new
        /// block list. Carries the frame's JSON in `frame` and the user in `deliverTo`.
        case notice
    }

    var kind: Kind
    /// The node that published the event.
    var node: String
    var room: String?
    /// For direct-conversation events, the user whose sessions receive this copy.
    var deliverTo: String?
    /// For direct-conversation events, the other party from `deliverTo`'s point of view.
    var peer: String?
    /// The acting user (typing, presence, receipt, online).
    var user: String?
    /// For `message`: the `message` frame's JSON, as every recipient receives it (its `seq` is
    /// in `seq`).
    var frame: ByteBuffer?
    var state: TypingFrame.State?
    var presence: PresenceFrame.Event?
    var seq: Int64?
    var online: Bool?
    /// For `online` (true): the user's sessions on the node ended within the presence grace;
    /// it still counts as online there, but a guest's nick is free (`PresenceGrace`).
    var lingering: Bool?
    /// For a `message` that records a room event (`RoomEvent`): its action, so every node
    /// enforces a kick, ban or mute without decoding the frame; `user` is then the actor.
    var action: RoomEvent.Action?
    /// For a room event: the user acted on.
    var target: String?
    /// For a `ban` or `mute` event: when it ends (ms since 1970); absent: for ever.
    var until: Int64?
    /// For `announce`: room → users with a session in it on the node.
    var rooms: [String: [String]]?
    /// For `announce`: users with a session on the node (or lingering there).
    var users: [String]?
    /// For `announce`: those of `users` who only linger on the node.
    var lingeringUsers: [String]?

    /// `frame` is raw JSON, written and read by hand only.
    enum CodingKeys: String, CodingKey {
        case kind, node, room, deliverTo, peer, user, state, presence, seq, online, lingering, action, target, until,
            rooms,
            users, lingeringUsers
    }

    init(kind: Kind, node: String) {
        self.kind = kind
        self.node = node
    }

    func encoded() -> ByteBuffer {
        guard kind != .announce else { return encodedWithFoundation() }
        var writer = JSONWriter()
        writer.field("kind", kind.rawValue)
        writer.field("node", node)
        writer.field("room", room)
        writer.field("deliverTo", deliverTo)
        writer.field("peer", peer)
        writer.field("user", user)
        writer.field("state", state?.rawValue)
        writer.field("presence", presence?.rawValue)
        writer.field("seq", seq)
        writer.field("online", online)
        writer.field("lingering", lingering)
        writer.field("action", action?.rawValue)
        writer.field("target", target)
        writer.field("until", until)
        if let frame { writer.rawField("frame", frame) }
        return writer.finish()
    }

    /// `announce` (a node's whole roster, sent when it starts or is asked) is rare and nested, so
    /// Foundation encodes it; every other kind is written by hand above.
    private func encodedWithFoundation() -> ByteBuffer {
        do {
            return ByteBuffer(bytes: try JSONEncoder().encode(self))
        } catch {
            // Strings, integers and arrays of them: failing to encode is a programming error.
            preconditionFailure("broker event \(kind) failed to encode: \(error)")
        }
    }

    static func decode(_ buffer: ByteBuffer) throws -> BrokerEvent {
        if let event = buffer.withUnsafeReadableBytes({ decodeByHand($0) }) { return event }
        return try JSONDecoder().decode(BrokerEvent.self, from: Data(buffer.readableBytesView))
    }

    /// The hand-written reader of `encoded()`'s output; nil for anything else (`announce`).
    private static func decodeByHand(_ bytes: UnsafeRawBufferPointer) -> BrokerEvent? {
        guard let object = FlatJSONObject.parse(bytes, rawObjectKeys: ["frame"]),
            case .string(let rawKind)? = object["kind"], let kind = Kind(rawValue: rawKind), kind != .announce,
            case .string(let node)? = object["node"]
        else { return nil }
        var event = BrokerEvent(kind: kind, node: node)
        for (key, value) in object.members {
            switch (key, value) {
            case ("kind", _), ("node", _): break
            case ("room", .string(let room)): event.room = room
            case ("deliverTo", .string(let user)): event.deliverTo = user
            case ("peer", .string(let peer)): event.peer = peer
            case ("user", .string(let user)): event.user = user
            case ("state", .string(let state)):
                guard let state = TypingFrame.State(rawValue: state) else { return nil }
                event.state = state
            case ("presence", .string(let presence)):
                guard let presence = PresenceFrame.Event(rawValue: presence) else { return nil }
                event.presence = presence
            case ("seq", .integer(let seq)): event.seq = seq
            case ("online", .bool(let online)): event.online = online
            case ("lingering", .bool(let lingering)): event.lingering = lingering
            case ("action", .string(let action)):
                guard let action = RoomEvent.Action(rawValue: action) else { return nil }
                event.action = action
            case ("target", .string(let target)): event.target = target
            case ("until", .integer(let until)): event.until = until
            case ("frame", .rawObject(let range)):
                event.frame = ByteBuffer(bytes: UnsafeRawBufferPointer(rebasing: bytes[range]))
            default: return nil
            }
        }
        return event
    }
}
