import Foundation

/// Routing keys of the SockJS relay on the chat's topic exchange.
///
/// Session ids are client-chosen (any characters but `/` and `.`), so they travel hex-encoded:
/// a `*` or `#` in an id must not become a wildcard in the owner's binding.
enum RelayTopic {
    /// Longest session id that fits a routing key (255 bytes) hex-encoded; longer ids are
    /// served by the node that receives them, without forwarding.
    static let maxSessionBytes = 120

    /// Requests and aborts for `session`; bound only by the node that owns it.
    static func session(_ session: String) -> String? {
        let bytes = Array(session.utf8)
        guard !bytes.isEmpty, bytes.count <= maxSessionBytes else { return nil }
        return "sockjs.session." + bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Replies to requests forwarded by node `id`.
    static func node(_ id: String) -> String { "node.\(id).sockjs" }

    /// Whether `topic` belongs to the relay rather than to the chat.
    static func isRelay(_ topic: String) -> Bool {
        topic.hasPrefix("sockjs.") || (topic.hasPrefix("node.") && topic.hasSuffix(".sockjs"))
    }
}
