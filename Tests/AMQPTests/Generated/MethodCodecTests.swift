import NIOCore
import Testing

@testable import AMQP

/// Generated methods encode to the spec's wire layout and decode back.
@Suite("Method codec")
struct MethodCodecTests {
    @Test("queue.declare packs its bits into one octet after the reserved short")
    func queueDeclareVector() throws {
        let method = AMQPMethod.queue(.declare(.init(queue: "q", durable: true, exclusive: true, arguments: [:])))
        var buffer = ByteBuffer()
        try method.encode(into: &buffer)
        #expect(buffer.bytes == [0, 50, 0, 10, 0, 0, 1, 0x71, 0b0000_0110, 0, 0, 0, 0])
        #expect(try AMQPMethod.decode(from: &buffer) == method)
    }

    @Test("basic.nack packs multiple and requeue")
    func basicNackVector() throws {
        let method = AMQPMethod.basic(.nack(.init(deliveryTag: 9, multiple: true, requeue: true)))
        var buffer = ByteBuffer()
        try method.encode(into: &buffer)
        #expect(buffer.bytes == [0, 60, 0, 120, 0, 0, 0, 0, 0, 0, 0, 9, 0b11])
        #expect(try AMQPMethod.decode(from: &buffer) == method)
    }

    @Test("every kind of method round-trips", arguments: MethodCodecTests.samples)
    func roundTrip(method: AMQPMethod) throws {
        var buffer = ByteBuffer()
        try method.encode(into: &buffer)
        let decoded = try AMQPMethod.decode(from: &buffer)
        #expect(decoded == method)
        #expect(buffer.readableBytes == 0)
    }

    static let samples: [AMQPMethod] = [
        .connection(
            .start(
                .init(
                    versionMajor: 0, versionMinor: 9, serverProperties: ["product": "RabbitMQ"],
                    mechanisms: "PLAIN AMQPLAIN", locales: "en_US"))),
        .connection(
            .startOk(
                .init(
                    clientProperties: ["capabilities": .table(["basic.nack": true])], mechanism: "PLAIN",
                    response: "\u{0}guest\u{0}guest", locale: "en_US"))),
        .connection(.tune(.init(channelMax: 2047, frameMax: 131_072, heartbeat: 60))),
        .connection(.open(.init(virtualHost: "/"))),
        .connection(.close(.init(replyCode: 320, replyText: "CONNECTION_FORCED", classID: 0, methodID: 0))),
        .connection(.blocked(.init(reason: "low on memory"))),
        .channel(.open(.init())),
        .channel(.close(.init(replyCode: 404, replyText: "NOT_FOUND", classID: 50, methodID: 10))),
        .exchange(
            .declare(
                .init(
                    exchange: "rabbitchat", type: "topic", durable: true, internal: true,
                    arguments: ["alternate-exchange": "ae"]))),
        .exchange(.bind(.init(destination: "d", source: "s", routingKey: "k.#", noWait: true))),
        .queue(.declareOk(.init(queue: "amq.gen-x", messageCount: 3, consumerCount: 1))),
        .queue(.unbind(.init(queue: "q", exchange: "e", routingKey: "r"))),
        .basic(.publish(.init(exchange: "e", routingKey: "r", mandatory: true, immediate: false))),
        .basic(
            .deliver(.init(consumerTag: "c", deliveryTag: 1 << 40, redelivered: true, exchange: "", routingKey: "q"))),
        .basic(.qos(.init(prefetchSize: 0, prefetchCount: 200, global: false))),
        .basic(.return(.init(replyCode: 312, replyText: "NO_ROUTE", exchange: "e", routingKey: "r"))),
        .confirm(.select(.init(nowait: false))),
        .tx(.commitOk(.init())),
    ]

    @Test("unknown class and method ids are COMMAND_INVALID")
    func unknownIDs() {
        var unknownClass = ByteBuffer(bytes: [0, 99, 0, 10])
        #expect(throws: AMQPError.self) { try AMQPMethod.decode(from: &unknownClass) }
        var unknownMethod = ByteBuffer(bytes: [0, 60, 0, 99])
        do {
            _ = try AMQPMethod.decode(from: &unknownMethod)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .commandInvalid)
        }
    }

    @Test("basic properties use the spec's flag bits")
    func propertiesVector() throws {
        let properties = AMQPBasicProperties(contentType: "a", deliveryMode: 2, timestamp: 1)
        var buffer = ByteBuffer()
        try properties.encode(into: &buffer)
        #expect(buffer.bytes == [0b1001_0000, 0b0100_0000, 1, 0x61, 2, 0, 0, 0, 0, 0, 0, 0, 1])
        #expect(try AMQPBasicProperties.decode(from: &buffer) == properties)

        let full = AMQPBasicProperties(
            contentType: "application/json", contentEncoding: "gzip",
            headers: ["h": .int32(1), "n": .table(["x": "y"])],
            deliveryMode: 2, priority: 5, correlationID: "c", replyTo: "r", expiration: "60000",
            messageID: "m", timestamp: 1_700_000_000, type: "t", userID: "guest", appID: "app", clusterID: "cl"
        )
        var fullBuffer = ByteBuffer()
        try full.encode(into: &fullBuffer)
        #expect(fullBuffer.getInteger(at: 0, as: UInt16.self) == 0xFFFC)
        #expect(try AMQPBasicProperties.decode(from: &fullBuffer) == full)
    }

    @Test("a 256-byte short string is refused when encoding")
    func longShortString() {
        var buffer = ByteBuffer()
        let method = AMQPMethod.queue(.declare(.init(queue: String(repeating: "q", count: 256))))
        #expect(throws: AMQPError.self) { try method.encode(into: &buffer) }
    }
}
