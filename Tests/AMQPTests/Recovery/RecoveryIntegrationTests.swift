import AMQP
import NIOCore
import TestSupport
import Testing

extension IntegrationTests {
    /// Automatic recovery against real failures: an admin closing the connection, the broker
    /// restarting, and a proxy that cuts, resets and stalls the TCP connection.
    @Suite("Recovery")
    struct RecoveryIntegrationTests {
        static let recovery = AMQPConnection.Configuration.Recovery(
            isEnabled: true, initialBackoff: .milliseconds(100), maximumBackoff: .seconds(1)
        )

        /// A chat-node-like setup: topic exchange, server-named exclusive queue, binding,
        /// confirming publisher, manual-ack consumer.
        struct Node {
            let connection: AMQPConnection
            let events: EventRecorder
            let publisher: AMQPChannel
            let consumer: AMQPConsumer
            let exchange: String
            let queue: String

            static func start(configuration: AMQPConnection.Configuration) async throws -> Node {
                let connection = try await AMQPConnection.connect(
                    configuration: configuration, logger: TestBroker.logger)
                let events = EventRecorder(connection)
                let publisher = try await connection.openChannel()
                try await publisher.enableConfirms()
                let consuming = try await connection.openChannel()
                try await consuming.qos(prefetchCount: 100)
                let exchange = TestBroker.uniqueName("recovery")
                try await consuming.declareExchange(exchange, type: "topic", durable: false, autoDelete: true)
                let queue = try await consuming.declareQueue(exclusive: true)
                try await consuming.bindQueue(queue.name, exchange: exchange, routingKey: "room.lobby.#")
                let consumer = try await consuming.consume(queue: queue.name)
                return Node(
                    connection: connection, events: events, publisher: publisher, consumer: consumer,
                    exchange: exchange, queue: queue.name)
            }

            /// Publishes `text` until the broker confirms it (retrying while recovery runs).
            func publishConfirmed(_ text: String) async throws {
                try await TestBroker.eventually(timeout: .seconds(60), "confirmed publish of \(text)") {
                    do {
                        try await self.publisher.publish(
                            ByteBuffer(string: text), exchange: self.exchange, routingKey: "room.lobby.msg")
                        return true
                    } catch let error as AMQPError where error.isRetryable {
                        return false
                    }
                }
            }

            func receive() async throws -> String {
                let delivery = try await self.consumer.next(timeout: .seconds(30))
                try await delivery.ack()
                return String(buffer: delivery.body)
            }
        }

        static func connectionPID(named name: String) throws -> String? {
            let listing = try TestBroker.rabbitmqctl("list_connections", "pid", "client_properties")
            for line in listing.split(separator: "\n") where line.contains(name) {
                return line.split(separator: "\t").first.map(String.init)
            }
            return nil
        }

        @Test("rabbitmqctl close_connection: reconnect, new queue name, consumer resumed")
        func adminClose() async throws {
            var configuration = try TestBroker.configuration(recovery: Self.recovery)
            configuration.heartbeat = 5
            let node = try await Node.start(configuration: configuration)
            try await node.publishConfirmed("before")
            #expect(try await node.receive() == "before")

            let pid = try #require(try Self.connectionPID(named: configuration.connectionName!))
            try TestBroker.rabbitmqctl("close_connection", pid, "test: admin close")
            try await node.events.waitFor("connectionLost") { if case .connectionLost = $0 { true } else { false } }
            let renamed = try await node.events.waitFor("queueRenamed") {
                if case .queueRenamed = $0 { true } else { false }
            }
            try await node.events.waitFor("recovered") { $0 == .recovered }
            #expect(renamed == .queueRenamed(from: node.queue, to: renamed.newName))
            #expect(renamed.newName != node.queue)

            try await node.publishConfirmed("after")
            #expect(try await node.receive() == "after")
            try await node.connection.close()
        }

        @Test("a delivery from before the loss cannot ack a message on the new connection")
        func staleDeliveryTag() async throws {
            let connection = try await TestBroker.connect(recovery: Self.recovery)
            let events = EventRecorder(connection)
            let channel = try await connection.openChannel()
            let queue = try await channel.declareQueue(exclusive: true)
            let consumer = try await channel.consume(queue: queue.name)
            try await channel.publish(ByteBuffer(string: "x"), routingKey: queue.name)
            let stale = try await consumer.next()
            #expect(stale.deliveryTag == 1)
            let pid = try #require(try Self.connectionPID(named: connection.configuration.connectionName!))
            try TestBroker.rabbitmqctl("close_connection", pid, "test: stale tag")
            try await events.waitFor("recovered") { $0 == .recovered }
            // The message was requeued by the loss; the resumed consumer gets it again, with
            // delivery tag 1 on the new channel: the old tag 1 must not acknowledge it.
            let renamed = try await events.waitFor("queueRenamed") {
                if case .queueRenamed = $0 { true } else { false }
            }
            _ = renamed
            try await stale.ack()
            try await channel.publish(ByteBuffer(string: "y"), routingKey: renamed.newName)
            let fresh = try await consumer.next()
            #expect(fresh.deliveryTag == 1)
            try await Task.sleep(for: .milliseconds(300))
            let probe = try await connection.openChannel()
            try await channel.close()  // requeues every unacked delivery of the channel
            try await TestBroker.eventually("requeued message") {
                try await probe.declareQueue(renamed.newName, passive: true).messageCount == 1
            }
            try await connection.close()
        }

        @Test("broker stop_app/start_app: recovery, and no confirmed message is lost")
        func brokerRestart() async throws {
            let connection = try await TestBroker.connect(recovery: Self.recovery)
            let events = EventRecorder(connection)
            let channel = try await connection.openChannel()
            try await channel.enableConfirms()
            let name = TestBroker.uniqueName("durable")
            try await channel.declareQueue(name, durable: true)
            defer { _ = try? TestBroker.rabbitmqctl("start_app") }

            for index in 0..<100 {
                try await channel.publish(
                    ByteBuffer(string: "\(index)"), routingKey: name, properties: .init(deliveryMode: 2))
            }
            try TestBroker.rabbitmqctl("stop_app")
            try await events.waitFor("connectionLost") { if case .connectionLost = $0 { true } else { false } }
            // Publishing while the broker is down fails fast with a retryable error.
            do {
                try await channel.publish(ByteBuffer(string: "down"), routingKey: name)
                Issue.record("publish while the broker is down succeeded")
            } catch let error as AMQPError {
                #expect(error.isRetryable)
            }
            try TestBroker.rabbitmqctl("start_app")
            try await events.waitFor("recovered", timeout: .seconds(60)) { $0 == .recovered }

            let consumer = try await channel.consume(queue: name)
            var received: [String] = []
            while received.count < 100 {
                let delivery = try await consumer.next(timeout: .seconds(30))
                received.append(String(buffer: delivery.body))
                try await delivery.ack()
            }
            #expect(received == (0..<100).map { "\($0)" })
            try await channel.deleteQueue(name)
            try await connection.close()
        }

        @Test("proxy cut (FIN) and reset (RST): recovery each time")
        func proxyCutAndReset() async throws {
            let proxy = try await TCPProxy.start()
            var configuration = try AMQPConnection.Configuration(url: proxy.url)
            configuration.recovery = Self.recovery
            let node = try await Node.start(configuration: configuration)
            try await node.publishConfirmed("one")
            #expect(try await node.receive() == "one")

            try await proxy.cut()
            try await node.events.waitFor("recovered after cut") { $0 == .recovered }
            try await node.publishConfirmed("two")
            #expect(try await node.receive() == "two")

            await node.events.reset()
            try await proxy.reset()
            try await node.events.waitFor("recovered after reset") { $0 == .recovered }
            try await node.publishConfirmed("three")
            #expect(try await node.receive() == "three")
            #expect(try await proxy.acceptedConnections() == 3)
            try await node.connection.close()
            try await proxy.stop()
        }

        @Test("a stalled link is detected by heartbeats; pending confirms fail retryably; recovery follows")
        func stalledLink() async throws {
            let proxy = try await TCPProxy.start()
            var configuration = try AMQPConnection.Configuration(url: proxy.url)
            configuration.recovery = Self.recovery
            configuration.heartbeat = 1
            configuration.connectTimeout = .seconds(2)
            let node = try await Node.start(configuration: configuration)
            try await node.publishConfirmed("before")
            #expect(try await node.receive() == "before")

            try await proxy.stall()
            let pending = try node.publisher.enqueuePublish(
                ByteBuffer(string: "in flight"), exchange: node.exchange, routingKey: "room.lobby.msg")
            let started = ContinuousClock.now
            do {
                try await withTimeout(.seconds(15)) { try await pending.wait() }
                Issue.record("a publish through a stalled link was confirmed")
            } catch let error as AMQPError {
                #expect(error.code == .connectionLost)
                #expect(error.isRetryable)
                #expect(String(describing: error).contains("heartbeatTimeout"))
            }
            // Two 1 s intervals, checked every 250 ms.
            #expect(ContinuousClock.now - started < .seconds(6))
            let lost = try await node.events.waitFor("connectionLost") {
                if case .connectionLost = $0 { true } else { false }
            }
            #expect(String(describing: lost).contains("heartbeatTimeout"))

            try await proxy.resume()
            try await node.events.waitFor("recovered", timeout: .seconds(60)) { $0 == .recovered }
            try await node.publishConfirmed("after")
            // The in-flight message may or may not have reached the queue before the stall.
            var received = try await node.receive()
            if received == "in flight" { received = try await node.receive() }
            #expect(received == "after")
            try await node.connection.close()
            try await proxy.stop()
        }

        @Test("without recovery, a lost connection ends consumers with connectionLost")
        func noRecovery() async throws {
            let proxy = try await TCPProxy.start()
            var configuration = try AMQPConnection.Configuration(url: proxy.url)
            configuration.recovery.isEnabled = false
            let connection = try await AMQPConnection.connect(configuration: configuration, logger: TestBroker.logger)
            let events = EventRecorder(connection)
            let channel = try await connection.openChannel()
            let queue = try await channel.declareQueue(exclusive: true)
            let consumer = try await channel.consume(queue: queue.name)
            try await proxy.cut()
            do {
                _ = try await withTimeout(.seconds(10)) {
                    var iterator = consumer.makeAsyncIterator()
                    return try await iterator.next()
                }
                Issue.record("consumer survived without recovery")
            } catch let error as AMQPError {
                #expect(error.code == .connectionLost)
            }
            try await events.waitFor("closed") { $0 == .closed }
            await #expect(throws: AMQPError.self) { try await connection.openChannel() }
            try await proxy.stop()
        }
    }
}

extension AMQPConnectionEvent {
    var newName: String {
        if case .queueRenamed(_, let to) = self { return to }
        return ""
    }
}
