import NIOCore
import NIOWebSocket
import Testing

@testable import RFC6455

/// Message collation and the RFC 6455 verdicts, as plain values (the real-socket closes are in
/// TransportTests and ChatServerTests' ProtocolErrorTests).
@Suite("WebSocket message assembler")
struct WebSocketMessageAssemblerTests {
    static func buffer(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }

    static func violation(
        _ body: (inout WebSocketMessageAssembler) throws(WebSocketMessageAssembler.Violation) -> Void
    ) -> WebSocketMessageAssembler.Violation? {
        var assembler = WebSocketMessageAssembler(maxSize: 16)
        do {
            try body(&assembler)
            return nil
        } catch {
            return error
        }
    }

    @Test("single-frame text and binary messages pass through")
    func singleFrames() throws {
        var assembler = WebSocketMessageAssembler(maxSize: 16)
        #expect(
            try assembler.receive(opcode: .text, data: Self.buffer(Array("héllo".utf8)), fin: true)
                == .text(Self.buffer(Array("héllo".utf8))))
        // Binary is not text: any bytes.
        #expect(
            try assembler.receive(opcode: .binary, data: Self.buffer([0xFF, 0xC3]), fin: true)
                == .binary(Self.buffer([0xFF, 0xC3])))
        #expect(try assembler.receive(opcode: .text, data: Self.buffer([]), fin: true) == .text(Self.buffer([])))
    }

    @Test("a text message split inside a multi-byte character is whole and valid once collated")
    func fragmentedText() throws {
        var assembler = WebSocketMessageAssembler(maxSize: 16)
        let bytes = Array("aé€".utf8)  // 61 C3 A9 E2 82 AC
        #expect(try assembler.receive(opcode: .text, data: Self.buffer(Array(bytes[0..<2])), fin: false) == nil)
        #expect(try assembler.receive(opcode: .continuation, data: Self.buffer(Array(bytes[2..<4])), fin: false) == nil)
        #expect(
            try assembler.receive(opcode: .continuation, data: Self.buffer(Array(bytes[4...])), fin: true)
                == .text(Self.buffer(bytes)))
        // And the assembler is ready for the next message.
        #expect(try assembler.receive(opcode: .binary, data: Self.buffer([1]), fin: true) == .binary(Self.buffer([1])))
    }

    @Test(
        "invalid UTF-8 in text is 1007, whole or fragmented",
        arguments: [
            [0xC3, 0x28], [0xFF], [0xED, 0xA0, 0x80] /* an encoded surrogate */, [0xC0, 0xAF] /* overlong */,
            [0xE2, 0x82],
        ] as [[UInt8]])
    func invalidUTF8(bytes: [UInt8]) {
        let whole = Self.violation { assembler throws(WebSocketMessageAssembler.Violation) in
            _ = try assembler.receive(opcode: .text, data: Self.buffer([0x61] + bytes), fin: true)
        }
        #expect(whole == .invalidUTF8)
        #expect(whole?.code == .dataInconsistentWithMessage)
        let fragmented = Self.violation { assembler throws(WebSocketMessageAssembler.Violation) in
            _ = try assembler.receive(opcode: .text, data: Self.buffer([0x61]), fin: false)
            _ = try assembler.receive(opcode: .continuation, data: Self.buffer(bytes), fin: true)
        }
        #expect(fragmented == .invalidUTF8)
    }

    @Test("bad fragmentation is 1002; too large, whole or summed over fragments, is 1009")
    func protocolErrors() {
        let stray = Self.violation { assembler throws(WebSocketMessageAssembler.Violation) in
            _ = try assembler.receive(opcode: .continuation, data: Self.buffer([0x61]), fin: true)
        }
        #expect(stray?.code == .protocolError)
        let interleaved = Self.violation { assembler throws(WebSocketMessageAssembler.Violation) in
            _ = try assembler.receive(opcode: .text, data: Self.buffer([0x61]), fin: false)
            _ = try assembler.receive(opcode: .binary, data: Self.buffer([0x61]), fin: true)
        }
        #expect(interleaved?.code == .protocolError)
        let whole = Self.violation { assembler throws(WebSocketMessageAssembler.Violation) in
            _ = try assembler.receive(opcode: .binary, data: Self.buffer(Array(repeating: 0, count: 17)), fin: true)
        }
        #expect(whole?.code == .messageTooLarge)
        let summed = Self.violation { assembler throws(WebSocketMessageAssembler.Violation) in
            _ = try assembler.receive(opcode: .text, data: Self.buffer(Array(repeating: 0x61, count: 10)), fin: false)
            _ = try assembler.receive(
                opcode: .continuation, data: Self.buffer(Array(repeating: 0x61, count: 7)), fin: true)
        }
        #expect(summed?.code == .messageTooLarge)
    }
}
