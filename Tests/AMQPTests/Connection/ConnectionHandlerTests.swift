import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import AMQP

/// The handler on an `EmbeddedChannel`: a scripted broker drives the handshake, and malformed
/// input closes the connection with the right reply code.
@Suite("AMQPConnectionHandler")
struct ConnectionHandlerTests {
    struct Harness {
        let channel: EmbeddedChannel
        let handler: AMQPConnectionHandler
        var decoder = AMQPFrameDecoder(maximumFrameSize: 0)

        init() throws {
            self.channel = EmbeddedChannel()
            let parameters = ConnectionStateMachine.Parameters(
                user: "guest", password: "guest", virtualHost: "/", clientProperties: [:],
                channelMax: 2047, frameMax: 131_072, heartbeat: 0
            )
            self.handler = AMQPConnectionHandler(
                parameters: parameters,
                generation: 1,
                eventLoop: self.channel.eventLoop,
                callbacks: .init(blocked: { _ in }, returned: { _, _ in }, channelClosed: { _, _ in }),
                logger: Logger(label: "test")
            )
            try self.channel.pipeline.syncOperations.addHandler(self.handler)
            try self.channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 5672)).wait()
        }

        /// Every frame the handler wrote since the last call.
        mutating func written() throws -> [AMQPFrame] {
            var frames: [AMQPFrame] = []
            while var buffer = try self.channel.readOutbound(as: ByteBuffer.self) {
                if buffer.readableBytes == 8, buffer.getBytes(at: buffer.readerIndex, length: 4) == Array("AMQP".utf8) {
                    continue
                }
                while let frame = try self.decoder.decode(buffer: &buffer) { frames.append(frame) }
            }
            return frames
        }

        func receive(_ method: AMQPMethod, channel: UInt16 = 0) throws {
            var buffer = ByteBuffer()
            try AMQPFrameEncoder().encode(AMQPFrame(channel: channel, payload: .method(method)), into: &buffer)
            try self.channel.writeInbound(buffer)
        }

        mutating func handshake() throws {
            try self.receive(
                .connection(.start(.init(versionMajor: 0, versionMinor: 9, mechanisms: "PLAIN", locales: "en_US"))))
            try self.receive(.connection(.tune(.init(channelMax: 100, frameMax: 4096, heartbeat: 0))))
            try self.receive(.connection(.openOk(.init())))
            _ = try self.written()
        }
    }

    @Test("the handshake writes the protocol header, start-ok, tune-ok and open")
    func handshake() throws {
        var harness = try Harness()
        let header = try harness.channel.readOutbound(as: ByteBuffer.self)
        #expect(header?.bytes == AMQPFrameEncoder.protocolHeader)
        try harness.receive(
            .connection(.start(.init(versionMajor: 0, versionMinor: 9, mechanisms: "PLAIN", locales: "en_US"))))
        let startOk = try harness.written()
        guard case .method(.connection(.startOk(let ok))) = startOk.first?.payload else {
            Issue.record("expected start-ok, got \(startOk)")
            return
        }
        #expect(ok.response == "\u{0}guest\u{0}guest")
        try harness.receive(.connection(.tune(.init(channelMax: 100, frameMax: 4096, heartbeat: 0))))
        let tuned = try harness.written().map(\.payload)
        #expect(
            tuned == [
                .method(.connection(.tuneOk(.init(channelMax: 100, frameMax: 4096, heartbeat: 0)))),
                .method(.connection(.open(.init(virtualHost: "/")))),
            ])
        try harness.receive(.connection(.openOk(.init())))
        let established = try harness.handler.establishedPromise.futureResult.wait()
        #expect(established.tuning.frameMax == 4096)
        _ = try? harness.channel.finish()
    }

    static let malformedCases: [([UInt8], UInt16)] = [
        ([8, 0, 0, 0, 0, 0, 0, 0xCF], 501),  // bad frame-end
        ([9, 0, 0, 0, 0, 0, 0, 0xCE], 501),  // unknown frame type
        ([3, 0, 1, 0, 0x10, 0, 0], 501),  // 1 MiB body frame > frame_max, refused from its header
        ([1, 0, 0, 0, 0, 0, 5, 0, 10, 0, 50, 0, 0xCE], 502),  // connection.close with truncated fields
        ([1, 0, 0, 0, 0, 0, 4, 0, 99, 0, 1, 0xCE], 503),  // unknown class
        ([3, 0, 9, 0, 0, 0, 1, 0x41, 0xCE], 504),  // frame for a channel that is not open
    ]

    @Test("malformed input closes the connection with its reply code", arguments: Self.malformedCases)
    func malformedInput(bytes: [UInt8], replyCode: UInt16) throws {
        var harness = try Harness()
        try harness.handshake()
        #expect(harness.channel.isActive)
        _ = try? harness.channel.writeInbound(ByteBuffer(bytes: bytes))
        let written = try harness.written()
        guard case .method(.connection(.close(let close))) = written.last?.payload else {
            Issue.record("expected connection.close, got \(written)")
            return
        }
        #expect(close.replyCode == replyCode)
        #expect(!harness.channel.isActive)
        let reason = try harness.handler.closedPromise.futureResult.wait()
        #expect(reason?.replyCode == replyCode)
    }

    @Test("content on a channel without a content method is UNEXPECTED_FRAME")
    func unexpectedContent() throws {
        var harness = try Harness()
        try harness.handshake()
        let opened = harness.channel.eventLoop.makePromise(of: Void.self)
        try harness.channel.writeOutbound(HandlerCommand.openChannel(1, opened))
        try harness.receive(.channel(.openOk(.init())), channel: 1)
        try opened.futureResult.wait()
        var buffer = ByteBuffer()
        try AMQPFrameEncoder().encode(AMQPFrame(channel: 1, payload: .body(ByteBuffer(string: "x"))), into: &buffer)
        _ = try? harness.channel.writeInbound(buffer)
        let written = try harness.written()
        guard case .method(.connection(.close(let close))) = written.last?.payload else {
            Issue.record("expected connection.close, got \(written)")
            return
        }
        #expect(close.replyCode == 505)
    }

    @Test("a broker channel.close fails the pending call with its code and keeps the connection")
    func channelError() throws {
        var harness = try Harness()
        try harness.handshake()
        let opened = harness.channel.eventLoop.makePromise(of: Void.self)
        try harness.channel.writeOutbound(HandlerCommand.openChannel(1, opened))
        try harness.receive(.channel(.openOk(.init())), channel: 1)
        let call = harness.channel.eventLoop.makePromise(of: ChannelResponse.self)
        try harness.channel.writeOutbound(
            HandlerCommand.call(channel: 1, .queue(.declare(.init(queue: "q", passive: true))), call))
        try harness.receive(
            .channel(.close(.init(replyCode: 404, replyText: "NOT_FOUND - no queue 'q'", classID: 50, methodID: 10))),
            channel: 1)
        #expect(throws: AMQPError.self) { try call.futureResult.wait() }
        do {
            _ = try call.futureResult.wait()
        } catch let error as AMQPError {
            #expect(error.code == .notFound)
        }
        let written = try harness.written().map(\.payload)
        #expect(written.contains(.method(.channel(.closeOk(.init())))))
        #expect(harness.channel.isActive)
        _ = try? harness.channel.finish()
    }

    @Test("a batch of commands leaves in one write; a settle from an older connection is dropped")
    func commandBatchIsOneWrite() throws {
        var harness = try Harness()
        try harness.handshake()
        let opened = harness.channel.eventLoop.makePromise(of: Void.self)
        try harness.channel.writeOutbound(HandlerCommand.openChannel(1, opened))
        try harness.receive(.channel(.openOk(.init())), channel: 1)
        _ = try harness.written()
        harness.handler.perform([
            .send(channel: 1, .basic(.ack(.init(deliveryTag: 1))), generation: 1, nil),
            .send(channel: 1, .basic(.ack(.init(deliveryTag: 2))), generation: 7, nil),  // stale generation
            .send(channel: 1, .basic(.reject(.init(deliveryTag: 3, requeue: true))), generation: 1, nil),
        ])
        var buffer = try #require(try harness.channel.readOutbound(as: ByteBuffer.self))
        #expect(try harness.channel.readOutbound(as: ByteBuffer.self) == nil)
        var frames: [AMQPFrame.Payload] = []
        while let frame = try harness.decoder.decode(buffer: &buffer) { frames.append(frame.payload) }
        #expect(
            frames == [
                .method(.basic(.ack(.init(deliveryTag: 1)))),
                .method(.basic(.reject(.init(deliveryTag: 3, requeue: true)))),
            ])
        _ = try? harness.channel.finish()
    }

    @Test("deliveries decoded in one read batch reach the consumer at read-complete, in order")
    func deliveriesPerReadBatch() throws {
        var harness = try Harness()
        try harness.handshake()
        let opened = harness.channel.eventLoop.makePromise(of: Void.self)
        try harness.channel.writeOutbound(HandlerCommand.openChannel(1, opened))
        try harness.receive(.channel(.openOk(.init())), channel: 1)
        let sink = ChannelStateMachineTests.RecordingSink()
        let consumed = harness.channel.eventLoop.makePromise(of: ChannelResponse.self)
        try harness.channel.writeOutbound(
            HandlerCommand.consume(channel: 1, .init(queue: "q", consumerTag: "c"), sink, consumed))
        try harness.receive(.basic(.consumeOk(.init(consumerTag: "c"))), channel: 1)
        _ = try consumed.futureResult.wait()
        var buffer = ByteBuffer()
        for tag in UInt64(1)...3 {
            try AMQPFrameEncoder(frameMax: 4096).encodeContent(
                channel: 1,
                method: .basic(.deliver(.init(consumerTag: "c", deliveryTag: tag, routingKey: "q"))),
                properties: AMQPBasicProperties(),
                body: ByteBuffer(string: "m\(tag)"),
                into: &buffer
            )
        }
        harness.channel.pipeline.fireChannelRead(buffer)
        #expect(sink.deliveries.isEmpty)
        harness.channel.pipeline.fireChannelReadComplete()
        #expect(sink.deliveries.map(\.deliver.deliveryTag) == [1, 2, 3])
        #expect(sink.deliveries.map { String(buffer: $0.body) } == ["m1", "m2", "m3"])
        _ = try? harness.channel.finish()
    }
}
