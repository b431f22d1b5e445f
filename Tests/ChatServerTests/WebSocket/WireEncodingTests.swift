import ChatCore
import Foundation
import NIOCore
import NIOEmbedded
import NIOWebSocket
import TestSupport
import Testing

@testable import ChatServer

@Suite("WireEncoding of the WebSocket transports")
struct WireEncodingTests {
    /// Decodes `bytes` with swift-nio's own frame decoder: the reference for RFC 6455 framing.
    func decode(_ bytes: ByteBuffer) throws -> [WebSocketFrame] { try ReferenceWebSocketDecoder.decode(bytes) }

    @Test("the WebSocket wire encoding frames the JSON once; the JSON encoding leaves it as it is")
    func webSocketText() throws {
        let json = ByteBuffer(string: #"{"type":"pong"}"#)
        #expect(try decode(WireEncoding.webSocketText.encode(json)).first?.data == json)
        #expect(WireEncoding.json.encode(json) == json)
        #expect(WireEncoding.webSocketText.id != WireEncoding.json.id)
    }

    @Test("SockJS's WebSocket encoding is one text frame holding a[\"…\"] whose string is the JSON")
    func sockJSWebSocket() throws {
        let json = ByteBuffer(string: #"{"type":"message","text":"</script> \u2028 é"}"#)
        let frames = try decode(WireEncoding.sockJSWebSocket.encode(json))
        #expect(frames.count == 1)
        #expect(frames.first?.opcode == .text)
        let text = String(buffer: try #require(frames.first?.data))
        #expect(text.hasPrefix("a["))
        let messages = try JSONSerialization.jsonObject(with: Data(text.dropFirst().utf8)) as? [String]
        #expect(messages == [String(buffer: json)])
        #expect(Set([WireEncoding.json.id, WireEncoding.webSocketText.id, WireEncoding.sockJSWebSocket.id]).count == 3)
    }
}
