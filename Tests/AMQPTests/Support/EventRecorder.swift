import AMQP

/// Collects a connection's events in the background so tests can wait for one.
actor EventRecorder {
    private(set) var events: [AMQPConnectionEvent] = []
    private var task: Task<Void, Never>?

    init(_ connection: AMQPConnection) {
        let stream = connection.events
        Task { await self.start(stream) }
    }

    private func start(_ stream: AsyncStream<AMQPConnectionEvent>) {
        self.task = Task {
            for await event in stream {
                self.append(event)
            }
        }
    }

    private func append(_ event: AMQPConnectionEvent) {
        self.events.append(event)
    }

    /// Waits until an event matching `predicate` was recorded; returns it.
    @discardableResult
    func waitFor(
        _ what: String,
        timeout: Duration = .seconds(30),
        _ predicate: @Sendable (AMQPConnectionEvent) -> Bool
    ) async throws -> AMQPConnectionEvent {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let event = self.events.first(where: predicate) { return event }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("timed out waiting for event \(what); got \(self.events)")
    }

    /// Forgets the events seen so far.
    func reset() {
        self.events.removeAll()
    }
}
