import ChatCore
import NIOCore
import Synchronization
import Testing

@Suite("SessionOutbox")
struct SessionOutboxTests {
    func frame(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    @Test("frames come out in order, in one batch")
    func ordering() async {
        let outbox = SessionOutbox()
        outbox.enqueue(frame("a"))
        outbox.enqueue(frame("b"), ephemeral: true)
        outbox.enqueue(frame("c"))
        #expect(await outbox.next() == .frames([frame("a"), frame("b"), frame("c")]))
    }

    @Test("a full outbox drops ephemeral frames first, then closes the slow client with 1013")
    func overflow() async {
        let outbox = SessionOutbox(configuration: .init(maxFrames: 3, maxBytes: 1 << 20))
        #expect(outbox.enqueue(frame("m1")))
        #expect(outbox.enqueue(frame("t1"), ephemeral: true))
        #expect(outbox.enqueue(frame("m2")))
        // Full: a new ephemeral frame is dropped.
        #expect(!outbox.enqueue(frame("t2"), ephemeral: true))
        // Full: an essential frame evicts the queued ephemeral one.
        #expect(outbox.enqueue(frame("m3")))
        #expect(outbox.droppedEphemeralCount == 2)
        // Full of essential frames: the client is too slow and is closed.
        #expect(!outbox.enqueue(frame("m4")))
        #expect(outbox.isClosing)
        #expect(await outbox.next() == .close(.tryAgainLater, "outbound queue overflow: the client reads too slowly"))
        #expect(await outbox.next() == nil)
        #expect(!outbox.enqueue(frame("late")))
    }

    @Test("the byte bound applies as well as the frame bound")
    func byteBound() async {
        let outbox = SessionOutbox(configuration: .init(maxFrames: 100, maxBytes: 10))
        #expect(outbox.enqueue(frame("12345")))
        #expect(outbox.enqueue(frame("67890")))
        #expect(!outbox.enqueue(frame("x")))
        #expect(outbox.isClosing)
    }

    @Test("the overflow is reported once, when it happens, before any consumer takes the close")
    func overflowReportedAtOnce() {
        let overflows = Mutex(0)
        let outbox = SessionOutbox(configuration: .init(maxFrames: 1, maxBytes: 1 << 20)) {
            overflows.withLock { $0 += 1 }
        }
        #expect(outbox.enqueue(frame("m1")))
        #expect(!outbox.enqueue(frame("t1"), ephemeral: true))
        #expect(overflows.withLock { $0 } == 0)
        // Nobody drains the outbox (a writer stuck behind a client that stopped reading), yet
        // the slow consumer is counted.
        #expect(!outbox.enqueue(frame("m2")))
        #expect(!outbox.enqueue(frame("m3")))
        outbox.close(.normal, reason: "session ended")
        #expect(overflows.withLock { $0 } == 1)
    }

    @Test("close is delivered after the frames queued before it, and wakes a waiting consumer")
    func closeAfterFrames() async {
        let outbox = SessionOutbox()
        let consumer = Task { await outbox.next() }
        outbox.enqueue(frame("last words"))
        #expect(await consumer.value == .frames([frame("last words")]))
        outbox.close(.serviceRestart, reason: "restart")
        #expect(await outbox.next() == .close(.serviceRestart, "restart"))
        #expect(await outbox.next() == nil)
    }
}
