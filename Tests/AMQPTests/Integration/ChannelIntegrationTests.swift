import AMQP
import NIOCore
import Testing

extension IntegrationTests {
    @Suite("Channel")
    struct ChannelIntegrationTests {
        @Test("passive declare of a missing queue is NOT_FOUND; the channel closes, the connection stays usable")
        func notFound() async throws {
            let connection = try await TestBroker.connect()
            let channel = try await connection.openChannel()
            let other = try await connection.openChannel()
            do {
                try await channel.declareQueue(TestBroker.uniqueName("missing"), passive: true)
                Issue.record("passive declare of a missing queue succeeded")
            } catch let error as AMQPError {
                #expect(error.code == .notFound)
                #expect(error.replyCode == 404)
                #expect(error.closedConnection == false)
                #expect(error.classID == 50 && error.methodID == 10)
            }
            // The failed channel is closed…
            do {
                try await channel.declareQueue(exclusive: true)
                Issue.record("closed channel still works")
            } catch let error as AMQPError {
                #expect(error.code == .channelClosed)
            }
            // …the other channel and new channels still work.
            try await other.declareQueue(exclusive: true)
            let fresh = try await connection.openChannel()
            try await fresh.declareQueue(exclusive: true)
            try await connection.close()
        }

        @Test("redeclaring a queue with different arguments is PRECONDITION_FAILED")
        func preconditionFailed() async throws {
            let connection = try await TestBroker.connect()
            let channel = try await connection.openChannel()
            let name = TestBroker.uniqueName("precondition")
            try await channel.declareQueue(name, autoDelete: true, arguments: ["x-message-ttl": .int32(1000)])
            do {
                try await channel.declareQueue(name, autoDelete: true, arguments: ["x-message-ttl": .int32(2000)])
                Issue.record("redeclare with different arguments succeeded")
            } catch let error as AMQPError {
                #expect(error.code == .preconditionFailed)
                #expect(error.replyCode == 406)
                #expect(error.message.contains("PRECONDITION_FAILED"))
            }
            let cleanup = try await connection.openChannel()
            try await cleanup.deleteQueue(name)
            try await connection.close()
        }

        @Test("exchange, server-named queue, bind, unbind, purge and delete")
        func topology() async throws {
            let connection = try await TestBroker.connect()
            let channel = try await connection.openChannel()
            let exchange = TestBroker.uniqueName("exchange")
            try await channel.declareExchange(exchange, type: "topic", durable: false)
            let queue = try await channel.declareQueue(exclusive: true)
            #expect(queue.messageCount == 0 && queue.consumerCount == 0)
            try await channel.bindQueue(queue.name, exchange: exchange, routingKey: "room.lobby.#")

            try await channel.publish(ByteBuffer(string: "a"), exchange: exchange, routingKey: "room.lobby.msg")
            try await channel.publish(ByteBuffer(string: "b"), exchange: exchange, routingKey: "room.other.msg")
            try await TestBroker.eventually("one routed message") {
                try await channel.declareQueue(queue.name, passive: true).messageCount == 1
            }
            try await channel.unbindQueue(queue.name, exchange: exchange, routingKey: "room.lobby.#")
            try await channel.publish(ByteBuffer(string: "c"), exchange: exchange, routingKey: "room.lobby.msg")

            #expect(try await channel.purgeQueue(queue.name) == 1)
            try await channel.publish(ByteBuffer(string: "d"), routingKey: queue.name)
            try await TestBroker.eventually("direct message") {
                try await channel.declareQueue(queue.name, passive: true).messageCount == 1
            }
            #expect(try await channel.deleteQueue(queue.name) == 1)
            try await channel.deleteExchange(exchange)
            try await connection.close()
        }

        @Test("basic.get returns messages and nil when empty")
        func basicGet() async throws {
            let connection = try await TestBroker.connect()
            let channel = try await connection.openChannel()
            let queue = try await channel.declareQueue(exclusive: true)
            #expect(try await channel.get(queue: queue.name) == nil)
            try await channel.publish(
                ByteBuffer(string: "one"), routingKey: queue.name, properties: .init(messageID: "m1"))
            try await channel.publish(ByteBuffer(string: "two"), routingKey: queue.name)
            var result: AMQPGetResult?
            try await TestBroker.eventually("a message to get") {
                result = try await channel.get(queue: queue.name)
                return result != nil
            }
            #expect(result?.delivery.body == ByteBuffer(string: "one"))
            #expect(result?.delivery.properties.messageID == "m1")
            #expect(result?.messageCount == 1)
            try await result?.delivery.ack()
            try await connection.close()
        }

        @Test("a mandatory publish nobody receives comes back on returns")
        func mandatoryReturn() async throws {
            let connection = try await TestBroker.connect()
            let channel = try await connection.openChannel()
            try await channel.publish(
                ByteBuffer(string: "lost"), routingKey: TestBroker.uniqueName("nobody"), mandatory: true,
                properties: .init(correlationID: "c-1")
            )
            let returned = try await withTimeout(.seconds(10)) {
                var iterator = channel.returns.makeAsyncIterator()
                return await iterator.next()
            }
            #expect(returned?.replyCode == 312)
            #expect(returned?.replyText == "NO_ROUTE")
            #expect(returned?.body == ByteBuffer(string: "lost"))
            #expect(returned?.properties.correlationID == "c-1")
            try await connection.close()
        }

        @Test("channels are numbered, reused after close, and independent")
        func channelNumbers() async throws {
            let connection = try await TestBroker.connect()
            let first = try await connection.openChannel()
            let second = try await connection.openChannel()
            #expect(first.id != second.id)
            try await first.close()
            try await first.close()  // idempotent
            let third = try await connection.openChannel()
            try await third.declareQueue(exclusive: true)
            try await second.declareQueue(exclusive: true)
            try await connection.close()
        }
    }
}
