import NIOCore

extension Hub {
    /// Whether the node can serve chat: its broker and its store both answer.
    public struct Readiness: Sendable, Equatable {
        /// Why the broker is not ready, or nil when it is.
        public var brokerProblem: String?
        /// Why the store is not ready, or nil when it is.
        public var storeProblem: String?
        /// Whether both answered.
        public var isReady: Bool { brokerProblem == nil && storeProblem == nil }
    }

    /// The broker topic of readiness probes; no binding matches it, so nobody receives them.
    static let readinessProbeTopic = "probe.readyz"

    /// Probes the broker (a confirmed publish nobody receives) and the store (a read), each
    /// bounded by `timeout`, concurrently.
    ///
    /// The broker is ready only when it also reports no problem of its own: a publish proves the
    /// publisher connection, while `hello` and room joins need the consumer's bindings too.
    public nonisolated func readiness(timeout: Duration = .seconds(2)) async -> Readiness {
        let broker = self.broker
        let store = self.store
        async let brokerProblem = Self.probe(timeout: timeout) {
            if let problem = await broker.readinessProblem() {
                throw BrokerError(.unavailable, problem)
            }
            try await broker.publish(
                BrokerMessage(topic: Self.readinessProbeTopic, payload: ByteBuffer()), confirm: true)
        }
        async let storeProblem = Self.probe(timeout: timeout) {
            _ = try await store.state(of: .room("readyz"))
        }
        return Readiness(brokerProblem: await brokerProblem, storeProblem: await storeProblem)
    }

    /// Runs `body` with a deadline; returns why it failed, or nil.
    ///
    /// The probe runs in its own task so a call that ignores cancellation cannot hold the
    /// answer past the deadline; such a call ends by its own timeout (the broker's confirm
    /// timeout, the store's query timeout).
    private static func probe(
        timeout: Duration, _ body: @escaping @Sendable () async throws -> Void
    ) async -> String? {
        let (answers, answer) = AsyncStream<String?>.makeStream(bufferingPolicy: .bufferingOldest(2))
        let work = Task {
            do {
                try await body()
                answer.yield(nil)
            } catch {
                answer.yield("\(error)")
            }
        }
        let deadline = Task {
            try? await Task.sleep(for: timeout)
            answer.yield("no answer within \(timeout)")
        }
        var first: String? = "no answer"
        for await result in answers {
            first = result
            break
        }
        work.cancel()
        deadline.cancel()
        return first
    }
}
