import ChatCore
import NIOCore
import Synchronization
import Testing

/// The in-process broker's node queue is bounded: a publisher to a full queue waits for the
/// consumer (backpressure, as RabbitMQ's flow control), and nothing confirmed is dropped.
@Suite("In-process broker queue bound", .timeLimit(.minutes(1)))
struct InProcessQueueBoundTests {
    @Test("with capacity 2, the third publish waits until the consumer takes one; all arrive in order")
    func fullQueueMakesPublishersWait() async throws {
        let exchange = InProcessExchange(queueCapacity: 2)
        let node = exchange.makeBroker()
        try await node.bind("room.#")
        for n in 1...2 {
            try await node.publish(BrokerMessage(topic: "room.a", payload: ByteBuffer(string: "\(n)")), confirm: true)
        }
        let thirdDone = Atomic<Bool>(false)
        let third = Task {
            try await node.publish(BrokerMessage(topic: "room.a", payload: ByteBuffer(string: "3")), confirm: true)
            thirdDone.store(true, ordering: .sequentiallyConsistent)
        }
        // The queue is full and nobody consumes: the publish cannot have completed. (A queue
        // without its bound would have taken it at once.)
        try await Task.sleep(for: .milliseconds(300))
        let doneWhileFull = thirdDone.load(ordering: .sequentiallyConsistent)
        #expect(!doneWhileFull, "a publish to a full queue waits")

        let received = Mutex<[String]>([])
        let consumer = Task {
            try await node.consume { message in received.withLock { $0.append(String(buffer: message.payload)) } }
        }
        try await third.value
        let doneAfterConsuming = thirdDone.load(ordering: .sequentiallyConsistent)
        #expect(doneAfterConsuming)
        let deadline = ContinuousClock.now + .seconds(10)
        while received.withLock({ $0.count }) < 3, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(received.withLock { $0 } == ["1", "2", "3"])
        consumer.cancel()
    }
}
