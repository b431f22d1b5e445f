import ChatCore
import NIOCore
import NIOEmbedded
import Synchronization
import Testing

/// A sink that records what it was handed, on which loop.
final class RecordingSink: SessionSink {
    let loop: EmbeddedEventLoop?
    let wireEncoding: WireEncoding
    private let log = Mutex<[String]>([])
    private let received = Mutex<[ByteBuffer]>([])
    private let closing: Bool

    init(loop: EmbeddedEventLoop?, encoding: WireEncoding = .json, closing: Bool = false) {
        self.loop = loop
        self.wireEncoding = encoding
        self.closing = closing
    }

    var eventLoop: (any EventLoop)? { loop }
    var isClosing: Bool { closing }
    var events: [String] { log.withLock { $0 } }
    var frames: [ByteBuffer] { received.withLock { $0 } }

    func deliver(_ wire: ByteBuffer, ephemeral: Bool) {
        if let loop { precondition(loop.inEventLoop) }
        received.withLock { $0.append(wire) }
        log.withLock { $0.append(ephemeral ? "deliver(ephemeral)" : "deliver") }
    }

    func flush() { log.withLock { $0.append("flush") } }
    func close(_ code: CloseCode, reason: String) { log.withLock { $0.append("close \(code.rawValue)") } }
}

@Suite("FanOut")
struct FanOutTests {
    @Test("each loop's sinks get the frame only when that loop runs, then one flush each")
    func onePerLoop() {
        let loopA = EmbeddedEventLoop()
        let loopB = EmbeddedEventLoop()
        let a1 = RecordingSink(loop: loopA)
        let a2 = RecordingSink(loop: loopA)
        let b1 = RecordingSink(loop: loopB)
        let direct = RecordingSink(loop: nil)
        var fanOut = FanOut()
        for sink in [a1, b1, a2, direct] { fanOut.add(sink) }
        #expect(fanOut.count == 4)
        #expect(fanOut.send(ByteBuffer(string: "m"), ephemeral: true) == 4)
        // A sink without a loop is handed the frame at once; the others wait for their loop.
        #expect(direct.events == ["deliver(ephemeral)", "flush"])
        #expect(a1.events.isEmpty && b1.events.isEmpty)
        loopA.run()
        #expect(a1.events == ["deliver(ephemeral)", "flush"])
        #expect(a2.events == ["deliver(ephemeral)", "flush"])
        #expect(b1.events.isEmpty)
        loopB.run()
        #expect(b1.events == ["deliver(ephemeral)", "flush"])
    }

    @Test("the frame is encoded once per wire encoding, not once per recipient, and every recipient shares the bytes")
    func encodeOnce() {
        let loop = EmbeddedEventLoop()
        let encodings = Atomic<Int>(0)
        let framed = WireEncoding(id: 7) { json in
            encodings.add(1, ordering: .relaxed)
            var out = ByteBuffer(string: "[")
            var json = json
            out.writeBuffer(&json)
            out.writeString("]")
            return out
        }
        let sinks = (0..<50).map { _ in RecordingSink(loop: loop, encoding: framed) }
        let plain = RecordingSink(loop: loop)
        var fanOut = FanOut()
        for sink in sinks { fanOut.add(sink) }
        fanOut.add(plain)
        fanOut.send(ByteBuffer(string: "x"))
        loop.run()
        #expect(encodings.load(ordering: .relaxed) == 1)
        #expect(sinks.allSatisfy { $0.frames == [ByteBuffer(string: "[x]")] })
        #expect(plain.frames == [ByteBuffer(string: "x")])
    }

    @Test("a sink that is closing is left out")
    func skipsClosing() {
        let loop = EmbeddedEventLoop()
        let open = RecordingSink(loop: loop)
        let closing = RecordingSink(loop: loop, closing: true)
        var fanOut = FanOut()
        fanOut.add(open)
        fanOut.add(closing)
        #expect(fanOut.send(ByteBuffer(string: "m")) == 1)
        loop.run()
        #expect(open.events == ["deliver", "flush"])
        #expect(closing.events.isEmpty)
    }

    @Test("frames sent one by one to a loop sink arrive in order, each flushed")
    func unicastOrder() {
        let loop = EmbeddedEventLoop()
        let sink = RecordingSink(loop: loop)
        sink.send(ByteBuffer(string: "1"))
        var fanOut = FanOut()
        fanOut.add(sink)
        fanOut.send(ByteBuffer(string: "2"))
        sink.send(ByteBuffer(string: "3"))
        #expect(sink.frames.isEmpty)
        loop.run()
        #expect(sink.frames == ["1", "2", "3"].map { ByteBuffer(string: $0) })
    }
}
