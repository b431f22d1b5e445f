import ChatBroker
import Foundation
import Logging
import TestSupport
import Testing

/// The RabbitMQ broker's consumer holds a bounded number of unacknowledged deliveries: the
/// broker's side of "every queue has a bound", read back from RabbitMQ itself.
@Suite("RabbitMQ consumer prefetch", .requires(.rabbitMQ, .rabbitmqctl), .timeLimit(.minutes(2)))
struct ConsumerPrefetchTests {
    /// `rabbitmqctl list_consumers` rows as (queue, prefetch count).
    static func consumers() async throws -> [(queue: String, prefetch: Int)] {
        let output = try await ChildProcess.run(
            TestEnvironment.rabbitmqctlPath, ["-q", "list_consumers", "queue_name", "prefetch_count"]
        ).output
        return output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t")
            guard fields.count == 2, let prefetch = Int(fields[1]) else { return nil }
            return (String(fields[0]), prefetch)
        }
    }

    @Test("the consumer channel's prefetch is the configured bound (default 200)")
    func prefetchIsBounded() async throws {
        // A value no other test's consumer uses, so its row is ours.
        let prefetch: UInt16 = 37
        var logger = Logger(label: "prefetch-test")
        logger.logLevel = .warning
        let broker = try await RabbitMQBroker.connect(
            configuration: .init(
                url: TestEnvironment.amqpURL, exchange: "rabbitchat-test-\(UUID().uuidString.prefix(8))",
                prefetch: prefetch),
            logger: logger)
        let ours = try await Self.consumers().filter { $0.prefetch == Int(prefetch) }
        #expect(ours.count == 1, "one consumer with prefetch \(prefetch): \(ours)")
        #expect(ours.first?.queue.hasPrefix("amq.gen-") == true, "the broker's exclusive, server-named queue")
        await broker.close()
        #expect(RabbitMQBroker.Configuration(url: TestEnvironment.amqpURL).prefetch == 200)
    }
}
