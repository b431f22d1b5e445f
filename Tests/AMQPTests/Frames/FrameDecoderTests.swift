import NIOCore
import NIOTestUtils
import Testing

@testable import AMQP

/// The frame decoder handles every split of the input and turns malformed input into typed
/// connection errors with the right reply code.
@Suite("Frame decoder")
struct FrameDecoderTests {
    static func encoded(_ frames: [AMQPFrame], frameMax: UInt32 = 131_072) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        let encoder = AMQPFrameEncoder(frameMax: frameMax)
        for frame in frames {
            try encoder.encode(frame, into: &buffer)
        }
        return buffer
    }

    static let sampleFrames: [AMQPFrame] = [
        AMQPFrame(channel: 0, payload: .heartbeat),
        AMQPFrame(
            channel: 1,
            payload: .method(
                .basic(.deliver(.init(consumerTag: "ctag", deliveryTag: 1, exchange: "x", routingKey: "r"))))),
        AMQPFrame(
            channel: 1,
            payload: .header(
                AMQPContentHeader(bodySize: 5, properties: .init(contentType: "text/plain", headers: ["a": 1])))),
        AMQPFrame(channel: 1, payload: .body(ByteBuffer(string: "hello"))),
        AMQPFrame(channel: 7, payload: .body(ByteBuffer())),
    ]

    @Test("a heartbeat frame is exactly 8 bytes")
    func heartbeatVector() throws {
        #expect(try Self.encoded([AMQPFrame(channel: 0, payload: .heartbeat)]).bytes == [8, 0, 0, 0, 0, 0, 0, 0xCE])
    }

    @Test("ByteToMessageDecoderVerifier: every split decodes the same frames")
    func verifier() throws {
        let input = try Self.encoded(Self.sampleFrames)
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [(input, Self.sampleFrames)],
            decoderFactory: { AMQPFrameDecoder(maximumFrameSize: 131_072) }
        )
    }

    @Test("short data leaves the reader index untouched")
    func shortDataKeepsReaderIndex() throws {
        let full = try Self.encoded([Self.sampleFrames[1]])
        var decoder = AMQPFrameDecoder(maximumFrameSize: 131_072)
        for length in [0, 3, 7, full.readableBytes - 1] {
            var partial = full.getSlice(at: 0, length: length)!
            #expect(try decoder.decode(buffer: &partial) == nil)
            #expect(partial.readerIndex == 0)
        }
    }

    static func decodeError(_ bytes: [UInt8], maximumFrameSize: UInt32 = 4096) -> AMQPError? {
        var decoder = AMQPFrameDecoder(maximumFrameSize: maximumFrameSize)
        var buffer = ByteBuffer(bytes: bytes)
        do {
            while try decoder.decode(buffer: &buffer) != nil {}
            return nil
        } catch let error as AMQPError {
            return error
        } catch {
            return nil
        }
    }

    @Test("a bad frame-end octet is FRAME_ERROR")
    func badFrameEnd() {
        let error = Self.decodeError([8, 0, 0, 0, 0, 0, 0, 0xCF])
        #expect(error?.code == .frameError)
        #expect(error?.replyCode == 501)
        #expect(error?.closedConnection == true)
    }

    @Test("an oversize frame is FRAME_ERROR before its payload arrives")
    func oversizeFrame() {
        // Only the 7-byte header: the decoder must refuse without waiting for 1 MiB.
        let error = Self.decodeError([3, 0, 1, 0x00, 0x10, 0x00, 0x00], maximumFrameSize: 4096)
        #expect(error?.code == .frameError)
    }

    @Test("an unknown frame type is FRAME_ERROR")
    func unknownType() {
        #expect(Self.decodeError([9, 0, 0, 0, 0, 0, 0, 0xCE])?.code == .frameError)
    }

    @Test("a heartbeat on a non-zero channel is FRAME_ERROR")
    func heartbeatOnChannel() {
        #expect(Self.decodeError([8, 0, 1, 0, 0, 0, 0, 0xCE])?.code == .frameError)
    }

    @Test("a truncated method field is SYNTAX_ERROR")
    func truncatedField() {
        // queue.declare-ok whose short string claims 9 bytes but the frame holds 2.
        let error = Self.decodeError([1, 0, 1, 0, 0, 0, 7, 0, 50, 0, 11, 9, 0x61, 0x62, 0xCE])
        #expect(error?.code == .syntaxError)
        #expect(error?.replyCode == 502)
    }

    @Test("a broker protocol header is a version mismatch")
    func protocolHeader() {
        #expect(Self.decodeError([0x41, 0x4D, 0x51, 0x50, 0, 0, 9, 1])?.code == .protocolVersionMismatch)
    }

    @Test("bodies are split at frame_max")
    func bodySplitting() throws {
        var body = ByteBuffer()
        body.writeRepeatingByte(0xAB, count: 10_000)
        var buffer = ByteBuffer()
        let encoder = AMQPFrameEncoder(frameMax: 4096)
        try encoder.encodeContent(
            channel: 1, method: .basic(.publish(.init(routingKey: "q"))), properties: .init(), body: body, into: &buffer
        )
        var decoder = AMQPFrameDecoder(maximumFrameSize: 4096)
        var bodySizes: [Int] = []
        var reassembled = ByteBuffer()
        while let frame = try decoder.decode(buffer: &buffer) {
            if case .body(var slice) = frame.payload {
                bodySizes.append(slice.readableBytes)
                reassembled.writeBuffer(&slice)
            }
        }
        #expect(bodySizes == [4088, 4088, 1824])
        #expect(reassembled == body)
    }
}
