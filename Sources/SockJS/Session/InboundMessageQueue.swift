import NIOCore
import Synchronization

/// The bounded queue of messages a client sent and the application has not read yet.
///
/// Producers (an `xhr_send` request, a WebSocket reader) suspend while it is full, so a client
/// that sends faster than the application reads is slowed down by its own requests instead of
/// growing the server's memory. One consumer: the session's `messages` sequence.
final class InboundMessageQueue: Sendable {
    private struct State {
        var buffer = CircularBuffer<SockJSMessage>()
        var finished = false
        var consumer: CheckedContinuation<SockJSMessage?, Never>?
        var producers: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextProducerID: UInt64 = 0
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Appends `messages` in order, waiting for room when the queue is full.
    ///
    /// - Returns: false when the queue finished (session closed) before all were queued.
    func push(_ messages: [SockJSMessage]) async -> Bool {
        for message in messages {
            while true {
                enum Step { case queued, finished, wait }
                let (step, consumer) = state.withLock { state -> (Step, CheckedContinuation<SockJSMessage?, Never>?) in
                    if state.finished { return (.finished, nil) }
                    guard state.buffer.count < capacity else { return (.wait, nil) }
                    if let consumer = state.consumer {
                        state.consumer = nil
                        return (.queued, consumer)
                    }
                    state.buffer.append(message)
                    return (.queued, nil)
                }
                switch step {
                case .queued:
                    consumer?.resume(returning: message)
                case .finished:
                    return false
                case .wait:
                    if Task.isCancelled { return false }
                    await waitForRoom()
                    continue
                }
                break
            }
        }
        return true
    }

    private func waitForRoom() async {
        let id = state.withLock { state -> UInt64 in
            state.nextProducerID += 1
            return state.nextProducerID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.finished || state.buffer.count < capacity || Task.isCancelled { return true }
                    state.producers[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.producers.removeValue(forKey: id) }?.resume()
        }
    }

    /// Ends the queue: waiting producers give up, the consumer gets what is buffered, then nil.
    func finish() {
        let (consumer, producers) = state.withLock {
            state -> (CheckedContinuation<SockJSMessage?, Never>?, [CheckedContinuation<Void, Never>]) in
            state.finished = true
            let consumer = state.buffer.isEmpty ? state.consumer : nil
            if consumer != nil { state.consumer = nil }
            let producers = Array(state.producers.values)
            state.producers.removeAll()
            return (consumer, producers)
        }
        consumer?.resume(returning: nil)
        for producer in producers { producer.resume() }
    }

    /// The next message, or nil once the queue finished and is empty (or the task is cancelled).
    func next() async -> SockJSMessage? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<SockJSMessage?, Never>) in
                let (immediate, producer) = state.withLock {
                    state -> (SockJSMessage??, CheckedContinuation<Void, Never>?) in
                    if let message = state.buffer.popFirst() {
                        var producer: CheckedContinuation<Void, Never>?
                        if let key = state.producers.keys.first { producer = state.producers.removeValue(forKey: key) }
                        return (.some(message), producer)
                    }
                    if state.finished || Task.isCancelled { return (.some(nil), nil) }
                    precondition(state.consumer == nil, "a SockJS session's messages have a single consumer")
                    state.consumer = continuation
                    return (nil, nil)
                }
                producer?.resume()
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            state.withLock { state -> CheckedContinuation<SockJSMessage?, Never>? in
                defer { state.consumer = nil }
                return state.consumer
            }?.resume(returning: nil)
        }
    }
}
