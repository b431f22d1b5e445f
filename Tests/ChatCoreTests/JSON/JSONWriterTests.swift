import ChatCore
import Foundation
import NIOCore
import TestSupport
import Testing

@Suite("JSONWriter and the hand-written frame encoders")
struct JSONWriterTests {
    @Test("random strings written by hand decode with JSONDecoder to the same string (5,000 cases)")
    func strings() throws {
        var generator = SplitMix64(seed: 0x5EED_0001)
        for _ in 0..<5_000 {
            let text = RandomJSONText.string(using: &generator)
            var buffer = ByteBuffer()
            JSONWriter.writeString(text, to: &buffer)
            let decoded = try JSONDecoder().decode(String.self, from: Data(buffer.readableBytesView))
            #expect(decoded == text)
        }
    }

    /// Both encodings of `frame`, as parsed JSON objects.
    func bothEncodings(_ frame: some HandEncodedFrame) throws -> (hand: NSDictionary, codable: NSDictionary) {
        var writer = JSONWriter()
        frame.write(to: &writer)
        let hand = writer.finish()
        let codable = try JSONEncoder().encode(frame)
        let handObject = try #require(
            try JSONSerialization.jsonObject(with: Data(hand.readableBytesView)) as? NSDictionary)
        let codableObject = try #require(try JSONSerialization.jsonObject(with: codable) as? NSDictionary)
        return (handObject, codableObject)
    }

    @Test("every hand-encoded frame equals its Encodable form, on random values (1,000 rounds)")
    func frames() throws {
        var generator = SplitMix64(seed: 0x5EED_0002)
        func text() -> String { RandomJSONText.string(using: &generator) }
        func optionalText() -> String? { Bool.random(using: &generator) ? text() : nil }
        func number() -> Int64 { Int64.random(in: Int64.min...Int64.max, using: &generator) }
        func attachments() -> [MessageAttachment]? {
            Bool.random(using: &generator)
                ? (0..<Int.random(in: 0...3, using: &generator)).map { _ in
                    MessageAttachment(id: text(), name: text(), type: text(), size: number())
                } : nil
        }
        for _ in 0..<1_000 {
            var message = MessageFrame(
                room: optionalText(), to: optionalText(), id: text(), seq: number(), from: text(), text: text(),
                ts: number())
            message.attachments = attachments()
            var pair = try bothEncodings(message)
            #expect(pair.hand == pair.codable)
            pair = try bothEncodings(
                AckFrame(
                    cid: text(), id: text(), seq: number(), ts: number(), room: optionalText(), to: optionalText(),
                    duplicate: Bool.random(using: &generator)))
            #expect(pair.hand == pair.codable)
            pair = try bothEncodings(
                TypingNoticeFrame(
                    room: optionalText(), to: optionalText(), user: text(),
                    state: Bool.random(using: &generator) ? .start : .stop))
            #expect(pair.hand == pair.codable)
            pair = try bothEncodings(
                PresenceFrame(
                    room: text(), user: optionalText(),
                    event: [.join, .leave, .count, .batch].randomElement(using: &generator)!,
                    online: Int.random(in: 0...1_000_000, using: &generator),
                    joined: Bool.random(using: &generator)
                        ? (0..<Int.random(in: 0...4, using: &generator)).map { _ in text() } : nil,
                    left: Bool.random(using: &generator)
                        ? (0..<Int.random(in: 0...4, using: &generator)).map { _ in text() } : nil))
            #expect(pair.hand == pair.codable)
            let messages = (0..<Int.random(in: 0...3, using: &generator)).map { _ in
                var message = MessageFrame(
                    room: optionalText(), to: optionalText(), id: text(), seq: number(), from: text(), text: text(),
                    ts: number())
                message.attachments = attachments()
                return message
            }
            pair = try bothEncodings(
                JoinedFrame(
                    room: text(), epoch: text(),
                    members: (0..<Int.random(in: 0...5, using: &generator)).map { _ in text() },
                    online: Bool.random(using: &generator) ? Int.random(in: 0...10, using: &generator) : nil,
                    lastSeq: number(),
                    messages: messages,
                    recovered: Bool.random(using: &generator) ? Bool.random(using: &generator) : nil,
                    reason: optionalText()))
            #expect(pair.hand == pair.codable)
            pair = try bothEncodings(
                ReceiptFrame(room: optionalText(), peer: optionalText(), user: text(), seq: number()))
            #expect(pair.hand == pair.codable)
            pair = try bothEncodings(PongFrame(id: optionalText(), ts: number()))
            #expect(pair.hand == pair.codable)
        }
    }

    @Test("ServerFrameEncoder takes the hand-written path for hand-encoded frames")
    func encoderUsesHandPath() {
        let frame = PongFrame(id: "a\"b", ts: 7)
        #expect(String(buffer: ServerFrameEncoder.encode(frame)) == #"{"type":"pong","id":"a\"b","ts":7}"#)
    }
}
