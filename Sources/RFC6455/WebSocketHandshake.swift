import Crypto
import Foundation

/// The server's side of the RFC 6455 opening handshake (§4.2.2), for endpoints that answer the
/// 101 themselves (`WebSocketTakeover`) instead of through swift-nio's upgrader.
package enum WebSocketHandshake {
    /// The `Sec-WebSocket-Accept` value that proves the server read the client's key:
    /// base64(SHA-1(key + the RFC's GUID)).
    ///
    /// - Parameter key: the client's `Sec-WebSocket-Key`.
    package static func acceptValue(for key: String) -> String {
        let digest = Insecure.SHA1.hash(data: Data((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))
        return Data(digest).base64EncodedString()
    }
}
