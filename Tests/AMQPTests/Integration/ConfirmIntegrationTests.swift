import AMQP
import NIOCore
import Testing

extension IntegrationTests {
    @Suite("Publisher confirms")
    struct ConfirmIntegrationTests {
        @Test("10,000 confirmed publishes arrive complete and in order")
        func tenThousandInOrder() async throws {
            let connection = try await TestBroker.connect()
            let publisher = try await connection.openChannel()
            try await publisher.enableConfirms()
            let consumerChannel = try await connection.openChannel()
            try await consumerChannel.qos(prefetchCount: 200)
            let queue = try await consumerChannel.declareQueue(exclusive: true)
            let consumer = try await consumerChannel.consume(queue: queue.name)
            let count = 10_000

            let received = Task {
                var next = 0
                for try await delivery in consumer {
                    let value = delivery.body.getInteger(at: delivery.body.readerIndex, as: UInt32.self)
                    guard value == UInt32(next) else {
                        throw TestFailure("expected \(next), got \(String(describing: value))")
                    }
                    next += 1
                    try await delivery.ack()
                    if next == count { return next }
                }
                return next
            }

            // A window of 100 outstanding confirms, in publish order.
            var window: [AMQPConfirmation] = []
            for index in 0..<count {
                var body = ByteBuffer()
                body.writeInteger(UInt32(index))
                window.append(
                    try publisher.enqueuePublish(body, routingKey: queue.name, properties: .init(deliveryMode: 2)))
                if window.count == 100 {
                    if index % 200 < 100 {
                        for confirmation in window { try await confirmation.wait() }
                    } else {
                        try await AMQPConfirmation.waitForAll(window)
                    }
                    window.removeAll(keepingCapacity: true)
                }
            }
            try await AMQPConfirmation.waitForAll(window)
            let total = try await withTimeout(.seconds(60)) { try await received.value }
            #expect(total == count)
            try await connection.close()
        }

        @Test("sequential publishes each await their own confirm")
        func sequential() async throws {
            let connection = try await TestBroker.connect()
            let channel = try await connection.openChannel()
            try await channel.enableConfirms()
            let queue = try await channel.declareQueue(exclusive: true)
            for index in 0..<200 {
                try await channel.publish(ByteBuffer(string: "\(index)"), routingKey: queue.name)
            }
            #expect(try await channel.declareQueue(queue.name, passive: true).messageCount == 200)
            try await connection.close()
        }

        @Test("a publish the broker refuses fails with publishNacked")
        func nack() async throws {
            let connection = try await TestBroker.connect()
            let channel = try await connection.openChannel()
            try await channel.enableConfirms()
            let queue = try await channel.declareQueue(
                exclusive: true, arguments: ["x-max-length": .int32(0), "x-overflow": "reject-publish"]
            )
            do {
                try await channel.publish(ByteBuffer(string: "refused"), routingKey: queue.name)
                Issue.record("publish to a full reject-publish queue was acked")
            } catch let error as AMQPError {
                #expect(error.code == .publishNacked)
            }
            do {
                let batch = try (0..<3).map { _ in
                    try channel.enqueuePublish(ByteBuffer(string: "refused"), routingKey: queue.name)
                }
                try await AMQPConfirmation.waitForAll(batch)
                Issue.record("a batch to a full reject-publish queue was acked")
            } catch let error as AMQPError {
                #expect(error.code == .publishNacked)
            }
            // Confirms keep working afterwards.
            let open = try await channel.declareQueue(exclusive: true)
            try await channel.publish(ByteBuffer(string: "fine"), routingKey: open.name)
            try await connection.close()
        }

        @Test("a publish to a missing exchange fails the confirm with the channel error")
        func missingExchange() async throws {
            let connection = try await TestBroker.connect()
            let channel = try await connection.openChannel()
            try await channel.enableConfirms()
            do {
                try await channel.publish(
                    ByteBuffer(string: "x"), exchange: TestBroker.uniqueName("nope"), routingKey: "k")
                Issue.record("publish to a missing exchange was confirmed")
            } catch let error as AMQPError {
                #expect(error.code == .channelClosed)
                #expect((error.underlying as? AMQPError)?.code == .notFound)
            }
            try await connection.close()
        }
    }
}
