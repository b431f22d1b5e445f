import AMQP
import Foundation
import Logging
import NIOCore
import TestSupport
import Testing

/// Access to the local RabbitMQ that `scripts/services/rabbitmq.sh` starts.
///
/// Tests that need the broker carry `.requires(.rabbitMQ)`: on a developer machine without a
/// broker they are skipped with the reason; under CI a missing broker fails them.
enum TestBroker {
    static let url = TestEnvironment.amqpURL

    static func configuration(
        name: String = #function,
        heartbeat: UInt16 = 60,
        frameMax: UInt32 = 131_072,
        recovery: AMQPConnection.Configuration.Recovery = .init(isEnabled: false)
    ) throws -> AMQPConnection.Configuration {
        var configuration = try AMQPConnection.Configuration(url: url)
        configuration.connectionName = "amqp-tests-\(name)-\(UInt32.random(in: 0...UInt32.max))"
        configuration.heartbeat = heartbeat
        configuration.frameMax = frameMax
        configuration.recovery = recovery
        return configuration
    }

    static func connect(
        name: String = #function,
        heartbeat: UInt16 = 60,
        frameMax: UInt32 = 131_072,
        recovery: AMQPConnection.Configuration.Recovery = .init(isEnabled: false)
    ) async throws -> AMQPConnection {
        try await AMQPConnection.connect(
            configuration: configuration(name: name, heartbeat: heartbeat, frameMax: frameMax, recovery: recovery),
            logger: logger
        )
    }

    static let logger: Logger = {
        var logger = Logger(label: "AMQPTests")
        logger.logLevel = TestEnvironment.amqpDebugLogging ? .debug : .critical
        return logger
    }()

    /// A queue or exchange name unique to one test run.
    static func uniqueName(_ prefix: String = "test") -> String {
        "amqp-tests.\(prefix).\(UInt64.random(in: 0...UInt64.max))"
    }

    /// Runs `rabbitmqctl` with a timeout and returns its standard output.
    @discardableResult
    static func rabbitmqctl(_ arguments: String...) throws -> String {
        let outcome = try ChildProcess.runBlocking(TestEnvironment.rabbitmqctlPath, ["-q"] + arguments)
        guard outcome.status == 0 else {
            throw TestFailure("rabbitmqctl \(arguments.joined(separator: " ")) exited with \(outcome.status)")
        }
        return outcome.output
    }

    /// Waits until `condition` holds, polling, or throws after `timeout`.
    static func eventually(
        timeout: Duration = .seconds(20),
        _ what: String,
        _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("timed out waiting for \(what)")
    }
}

/// A failure with a message, for helpers that throw.
struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body` with a deadline so a broken test fails instead of hanging the suite.
func withTimeout<T: Sendable>(
    _ timeout: Duration = .seconds(60),
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw TestFailure("timed out after \(timeout)")
        }
        let result = try await group.next()!
        group.cancelAll()
        return result
    }
}

extension AMQPConsumer {
    /// The next delivery, failing the test if the consumer ends or nothing arrives in time.
    func next(timeout: Duration = .seconds(20)) async throws -> AMQPDelivery {
        let consumer = self
        return try await withTimeout(timeout) {
            var iterator = consumer.makeAsyncIterator()
            guard let delivery = try await iterator.next() else { throw TestFailure("consumer ended") }
            return delivery
        }
    }
}
