import Foundation
import NIOCore

/// The payload of every message the `Hub` puts on the broker.
///
/// One flat, versionless JSON shape for all kinds keeps the broker payload readable in the
/// RabbitMQ management UI and decodable by any node of any version that knows the kind.
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
    var message: StoredMessage?
    var state: TypingFrame.State?
    var presence: PresenceFrame.Event?
    var seq: Int64?
    var online: Bool?
    /// For `announce`: room → users with a session in it on the node.
    var rooms: [String: [String]]?
    /// For `announce`: users with a session on the node.
    var users: [String]?

    init(kind: Kind, node: String) {
        self.kind = kind
        self.node = node
    }

    func encoded() -> ByteBuffer {
        ServerFrameEncoder.encode(self)
    }

    static func decode(_ buffer: ByteBuffer) throws -> BrokerEvent {
        try JSONDecoder().decode(BrokerEvent.self, from: Data(buffer.readableBytesView))
    }
}
