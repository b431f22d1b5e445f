import AMQP
import NIOCore
import Testing

extension IntegrationTests {
    @Suite("Publish and consume")
    struct PublishConsumeIntegrationTests {
        static func body(size: Int) -> ByteBuffer {
            var buffer = ByteBuffer()
            buffer.reserveCapacity(size)
            // A 251-byte pattern (prime, so frame boundaries never line up with it).
            let pattern = (0..<251).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            var remaining = size
            while remaining > 0 {
                let count = min(remaining, pattern.count)
                buffer.writeBytes(pattern[0..<count])
                remaining -= count
            }
            return buffer
        }

        @Test(
            "bodies of every size arrive intact",
            arguments: [0, 1, 4087, 4088, 4089, 10_000, 300_000, 16 * 1024 * 1024]
        )
        func bodySizes(size: Int) async throws {
            // frame_max 4096: the 4088-byte boundary is one body frame, 4089 needs two.
            let connection = try await TestBroker.connect(frameMax: 4096)
            let channel = try await connection.openChannel()
            try await channel.enableConfirms()
            let queue = try await channel.declareQueue(exclusive: true)
            let consumer = try await channel.consume(queue: queue.name)
            let body = Self.body(size: size)
            try await channel.publish(body, routingKey: queue.name)
            let delivery = try await consumer.next(timeout: .seconds(60))
            #expect(delivery.body.readableBytes == size)
            #expect(delivery.body == body)
            try await delivery.ack()
            try await connection.close()
        }

        @Test("every basic property and header survives the round trip")
        func properties() async throws {
            let connection = try await TestBroker.connect()
            let channel = try await connection.openChannel()
            let queue = try await channel.declareQueue(exclusive: true)
            let consumer = try await channel.consume(queue: queue.name)
            let headers: AMQPTable = [
                "string": "text", "int": .int32(-5), "long": .int64(1 << 40), "bool": true,
                "double": .double(1.5), "nested": .table(["k": "v"]), "list": .array(["a", .int32(1)]),
                "bytes": .bytes([0, 1, 2]), "time": .timestamp(1_700_000_000),
                "decimal": .decimal(scale: 2, value: 12345),
                "void": .void, "byte": .int8(-1), "short": .int16(300), "float": .float(0.5),
            ]
            let properties = AMQPBasicProperties(
                contentType: "application/json", contentEncoding: "identity", headers: headers,
                deliveryMode: 2, priority: 3, correlationID: "corr", replyTo: "reply.queue", expiration: "60000",
                messageID: "id-1", timestamp: 1_700_000_123, type: "chat.message", userID: "guest", appID: "rabbitchat"
            )
            try await channel.publish(ByteBuffer(string: "{}"), routingKey: queue.name, properties: properties)
            let delivery = try await consumer.next()
            #expect(delivery.properties.contentType == "application/json")
            #expect(delivery.properties.contentEncoding == "identity")
            #expect(delivery.properties.deliveryMode == 2)
            #expect(delivery.properties.priority == 3)
            #expect(delivery.properties.correlationID == "corr")
            #expect(delivery.properties.replyTo == "reply.queue")
            #expect(delivery.properties.expiration == "60000")
            #expect(delivery.properties.messageID == "id-1")
            #expect(delivery.properties.timestamp == 1_700_000_123)
            #expect(delivery.properties.type == "chat.message")
            #expect(delivery.properties.userID == "guest")
            #expect(delivery.properties.appID == "rabbitchat")
            for (key, value) in headers {
                #expect(delivery.properties.headers?[key] == value, "header \(key)")
            }
            #expect(delivery.routingKey == queue.name)
            #expect(delivery.exchange == "")
            #expect(delivery.redelivered == false)
            try await delivery.ack()
            try await connection.close()
        }

        @Test("nack and reject requeue; redelivered is set; ack settles")
        func settle() async throws {
            let connection = try await TestBroker.connect()
            let channel = try await connection.openChannel()
            try await channel.qos(prefetchCount: 10)
            let queue = try await channel.declareQueue(exclusive: true)
            let consumer = try await channel.consume(queue: queue.name)
            try await channel.publish(ByteBuffer(string: "m"), routingKey: queue.name)
            let first = try await consumer.next()
            #expect(first.redelivered == false)
            try await first.nack(requeue: true)
            let second = try await consumer.next()
            #expect(second.redelivered == true)
            try await second.reject(requeue: true)
            let third = try await consumer.next()
            try await third.ack()
            try await TestBroker.eventually("queue drained") {
                try await channel.declareQueue(queue.name, passive: true).messageCount == 0
            }
            try await connection.close()
        }

        @Test("prefetch limits unacknowledged deliveries")
        func prefetch() async throws {
            let connection = try await TestBroker.connect()
            let channel = try await connection.openChannel()
            try await channel.qos(prefetchCount: 2)
            let queue = try await channel.declareQueue(exclusive: true)
            for index in 0..<5 {
                try await channel.publish(ByteBuffer(string: "\(index)"), routingKey: queue.name)
            }
            let consumer = try await channel.consume(queue: queue.name)
            let one = try await consumer.next()
            _ = try await consumer.next()
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await channel.declareQueue(queue.name, passive: true).messageCount == 3)
            try await one.ack(multiple: true)
            _ = try await consumer.next()
            try await connection.close()
        }

        @Test("a consumer cancelled by the broker ends its sequence with consumerCancelled")
        func serverCancel() async throws {
            let connection = try await TestBroker.connect()
            let channel = try await connection.openChannel()
            let name = TestBroker.uniqueName("cancel")
            try await channel.declareQueue(name, autoDelete: false)
            let consumer = try await channel.consume(queue: name)
            let admin = try await connection.openChannel()
            try await admin.deleteQueue(name)
            do {
                let result = try await withTimeout(.seconds(10)) {
                    var iterator = consumer.makeAsyncIterator()
                    return try await iterator.next()
                }
                Issue.record("consumer ended without error: \(String(describing: result))")
            } catch let error as AMQPError {
                #expect(error.code == .consumerCancelled)
            }
            // The channel itself stays usable.
            try await channel.declareQueue(exclusive: true)
            try await connection.close()
        }

        @Test("cancel ends the sequence normally; closing the connection ends consumers")
        func clientCancel() async throws {
            let connection = try await TestBroker.connect()
            let channel = try await connection.openChannel()
            let queue = try await channel.declareQueue(exclusive: true)
            let consumer = try await channel.consume(queue: queue.name, consumerTag: "my-tag")
            #expect(consumer.consumerTag == "my-tag")
            try await consumer.cancel()
            let ended = try await withTimeout(.seconds(10)) {
                var iterator = consumer.makeAsyncIterator()
                return try await iterator.next() == nil
            }
            #expect(ended)
            let second = try await channel.consume(queue: queue.name)
            try await connection.close()
            let secondEnded = try await withTimeout(.seconds(10)) {
                var iterator = second.makeAsyncIterator()
                return try await iterator.next() == nil
            }
            #expect(secondEnded)
        }
    }
}
