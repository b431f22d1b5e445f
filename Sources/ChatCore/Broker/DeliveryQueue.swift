import NIOCore
import Synchronization

/// A bounded FIFO of broker messages with one consumer: the in-process equivalent of a node's
/// AMQP queue.
///
/// When it is full, publishers wait (backpressure, like RabbitMQ's flow control) instead of the
/// queue growing without limit or dropping a confirmed message.
final class DeliveryQueue: Sendable {
    private struct State {
        var buffer = CircularBuffer<BrokerMessage>()
        var consumer: CheckedContinuation<BrokerMessage?, Never>?
        var producers = CircularBuffer<CheckedContinuation<Void, Never>>()
        var closed = false
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        precondition(capacity > 0, "a delivery queue needs room for at least one message")
        self.capacity = capacity
    }

    /// Appends `message`, waiting while the queue is full. Returns false when the queue is closed.
    func push(_ message: BrokerMessage) async -> Bool {
        while true {
            enum Step { case delivered, enqueued, wait, closed }
            let step: Step = state.withLock { state in
                if state.closed { return .closed }
                if let consumer = state.consumer {
                    state.consumer = nil
                    consumer.resume(returning: message)
                    return .delivered
                }
                if state.buffer.count < capacity {
                    state.buffer.append(message)
                    return .enqueued
                }
                return .wait
            }
            switch step {
            case .delivered, .enqueued: return true
            case .closed: return false
            case .wait:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state in
                        if state.closed || state.buffer.count < capacity { return true }
                        state.producers.append(continuation)
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
        }
    }

    /// The next message, or nil once the queue is closed and drained.
    func pop() async -> BrokerMessage? {
        await withCheckedContinuation { (continuation: CheckedContinuation<BrokerMessage?, Never>) in
            let (immediate, producer): (BrokerMessage??, CheckedContinuation<Void, Never>?) = state.withLock {
                state in
                if let message = state.buffer.popFirst() {
                    return (.some(message), state.producers.popFirst())
                }
                if state.closed { return (.some(nil), nil) }
                precondition(state.consumer == nil, "DeliveryQueue has a single consumer")
                state.consumer = continuation
                return (nil, nil)
            }
            producer?.resume()
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    /// Closes the queue: waiting producers and the consumer wake up.
    func close() {
        let (consumer, producers) = state.withLock { state in
            state.closed = true
            let consumer = state.consumer
            state.consumer = nil
            let producers = state.producers
            state.producers.removeAll()
            return (consumer, producers)
        }
        consumer?.resume(returning: nil)
        for producer in producers { producer.resume() }
    }
}
