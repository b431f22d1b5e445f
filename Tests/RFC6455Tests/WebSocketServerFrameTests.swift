import NIOCore
import NIOEmbedded
import NIOWebSocket
import TestSupport
import Testing

@testable import RFC6455

@Suite("WebSocketServerFrame")
struct WebSocketServerFrameTests {
    /// Decodes `bytes` with swift-nio's own frame decoder: the reference for RFC 6455 framing.
    func decode(_ bytes: ByteBuffer) throws -> [WebSocketFrame] { try ReferenceWebSocketDecoder.decode(bytes) }

    @Test(
        "text frames of every length class (7-bit, 16-bit, 64-bit) decode to the same payload",
        arguments: [0, 1, 125, 126, 65_535, 65_536, 200_000])
    func textLengths(length: Int) throws {
        let payload = ByteBuffer(repeating: UInt8(ascii: "x"), count: length)
        let frames = try decode(WebSocketServerFrame.text(payload))
        #expect(frames.count == 1)
        #expect(frames.first?.opcode == .text)
        #expect(frames.first?.fin == true)
        #expect(frames.first?.maskKey == nil)
        #expect(frames.first?.data == payload)
    }

    @Test("a close frame carries the code and a reason cut between characters to fit 125 bytes")
    func closeFrame() throws {
        let reason = String(repeating: "é", count: 100)  // 200 bytes
        let frames = try decode(WebSocketServerFrame.close(1013, reason: reason))
        var data = try #require(frames.first?.data)
        #expect(frames.first?.opcode == .connectionClose)
        #expect(data.readInteger(as: UInt16.self) == 1013)
        let text = String(buffer: data)
        #expect(text == String(repeating: "é", count: 61))
        #expect(text.utf8.count <= 123)
    }
}
