import NIOCore
import TestSupport
import Testing

@testable import ChatCore

@Suite("BrokerEvent encoding")
struct BrokerEventCodingTests {
    @Test(
        "every kind written by hand reads back to the same event, the message frame byte for byte (2,000 random events)"
    )
    func roundTrip() throws {
        var generator = SplitMix64(seed: 0xB40C_0001)
        func text() -> String { RandomJSONText.string(using: &generator, maxPieces: 6) }
        func maybe<T>(_ value: @autoclosure () -> T) -> T? { Bool.random(using: &generator) ? value() : nil }
        for _ in 0..<2_000 {
            let kind = [BrokerEvent.Kind.message, .typing, .presence, .receipt, .online].randomElement(
                using: &generator)!
            var event = BrokerEvent(kind: kind, node: text())
            event.room = maybe(text())
            event.deliverTo = maybe(text())
            event.peer = maybe(text())
            event.user = maybe(text())
            event.state = maybe(Bool.random(using: &generator) ? .start : .stop)
            event.presence = maybe(.leave)
            event.seq = maybe(Int64.random(in: 0...Int64.max, using: &generator))
            event.online = maybe(Bool.random(using: &generator))
            event.lingering = maybe(true)
            if kind == .message {
                event.frame = ServerFrameEncoder.encode(
                    MessageFrame(
                        room: event.room, to: nil, id: text(), seq: event.seq ?? 1, from: text(), text: text(), ts: 1))
            }
            let decoded = try BrokerEvent.decode(event.encoded())
            #expect(decoded == event)
        }
    }

    @Test("an announcement, nested, goes through Codable both ways")
    func announce() throws {
        var event = BrokerEvent(kind: .announce, node: "n1")
        event.rooms = ["lobby": ["alice", "bob"], "café": ["😀"]]
        event.users = ["alice", "bob", "😀"]
        event.lingeringUsers = ["bob"]
        #expect(try BrokerEvent.decode(event.encoded()) == event)
    }
}
