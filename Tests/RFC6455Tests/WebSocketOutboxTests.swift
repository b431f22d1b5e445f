import NIOCore
import Testing

@testable import RFC6455

@Suite("WebSocketOutbox")
struct WebSocketOutboxTests {
    func frame(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    @Test("a writable socket takes frames directly; once one waits, later frames queue behind it in order")
    func writeThenQueue() {
        var outbox = WebSocketOutbox(configuration: .init(maxFrames: 8, maxBytes: 1 << 20))
        #expect(outbox.enqueue(frame("a"), ephemeral: false, writable: true) == .write)
        #expect(outbox.enqueue(frame("b"), ephemeral: false, writable: false) == .queued)
        // Writable again, but "b" waits: "c" must not overtake it.
        #expect(outbox.enqueue(frame("c"), ephemeral: true, writable: true) == .queued)
        #expect(outbox.next() == frame("b"))
        #expect(outbox.next() == frame("c"))
        #expect(outbox.next() == nil)
        #expect(outbox.isEmpty)
    }

    @Test(
        "full: ephemeral frames are dropped first, then the client is declared too slow and everything queued is discarded"
    )
    func overflow() {
        var outbox = WebSocketOutbox(configuration: .init(maxFrames: 3, maxBytes: 1 << 20))
        #expect(outbox.enqueue(frame("m1"), ephemeral: false, writable: false) == .queued)
        #expect(outbox.enqueue(frame("t1"), ephemeral: true, writable: false) == .queued)
        #expect(outbox.enqueue(frame("m2"), ephemeral: false, writable: false) == .queued)
        #expect(outbox.enqueue(frame("t2"), ephemeral: true, writable: false) == .dropped)
        // An essential frame evicts the queued ephemeral one.
        #expect(outbox.enqueue(frame("m3"), ephemeral: false, writable: false) == .queued)
        #expect(outbox.droppedEphemeral == 2)
        #expect(outbox.enqueue(frame("m4"), ephemeral: false, writable: false) == .overflow)
        #expect(outbox.isClosing)
        #expect(outbox.isEmpty)
        #expect(outbox.enqueue(frame("m5"), ephemeral: false, writable: true) == .dropped)
    }

    @Test("the byte bound counts like the frame bound")
    func byteBound() {
        var outbox = WebSocketOutbox(configuration: .init(maxFrames: 100, maxBytes: 10))
        #expect(outbox.enqueue(frame("12345678"), ephemeral: false, writable: false) == .queued)
        #expect(outbox.enqueue(frame("123"), ephemeral: true, writable: false) == .dropped)
        #expect(outbox.enqueue(frame("12"), ephemeral: false, writable: false) == .queued)
        #expect(outbox.enqueue(frame("1"), ephemeral: false, writable: false) == .overflow)
    }

    @Test("closed, it accepts nothing new but still hands out what was queued before the close")
    func closeKeepsQueued() {
        var outbox = WebSocketOutbox(configuration: .init())
        #expect(outbox.enqueue(frame("a"), ephemeral: false, writable: false) == .queued)
        outbox.close()
        #expect(outbox.enqueue(frame("b"), ephemeral: false, writable: true) == .dropped)
        #expect(outbox.next() == frame("a"))
        #expect(outbox.next() == nil)
    }
}
