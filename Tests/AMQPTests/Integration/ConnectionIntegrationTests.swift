import AMQP
import NIOCore
import Testing

extension IntegrationTests {
    @Suite("Connection")
    struct ConnectionIntegrationTests {
        @Test("connects from a URL, opens a channel, closes cleanly")
        func connectAndClose() async throws {
            let connection = try await AMQPConnection.connect(to: TestBroker.url, logger: TestBroker.logger)
            let channel = try await connection.openChannel()
            #expect(channel.id == 1)
            let queue = try await channel.declareQueue(exclusive: true)
            #expect(queue.name.hasPrefix("amq.gen-"))
            try await channel.close()
            try await connection.close()
            await #expect(throws: AMQPError.self) { try await connection.openChannel() }
        }

        @Test("run() keeps the connection until cancelled, then closes it cleanly")
        func runAsService() async throws {
            let connection = try await TestBroker.connect()
            let events = EventRecorder(connection)
            let service = Task { try await connection.run() }
            let channel = try await connection.openChannel()
            try await channel.declareQueue(exclusive: true)
            service.cancel()
            try await service.value
            try await events.waitFor("closed") { $0 == .closed }
            await #expect(throws: AMQPError.self) { try await connection.openChannel() }
        }

        @Test("a wrong password is ACCESS_REFUSED")
        func wrongPassword() async throws {
            do {
                _ = try await AMQPConnection.connect(
                    to: "amqp://guest:wrong@127.0.0.1:5672/", logger: TestBroker.logger)
                Issue.record("connected with a wrong password")
            } catch let error as AMQPError {
                #expect(error.code == .accessRefused)
                #expect(error.replyCode == 403)
                #expect(error.isRetryable == false)
            }
        }

        @Test("an unknown virtual host is refused with a typed error")
        func unknownVirtualHost() async throws {
            do {
                _ = try await AMQPConnection.connect(
                    to: "amqp://guest:guest@127.0.0.1:5672/no-such-vhost", logger: TestBroker.logger)
                Issue.record("opened a missing virtual host")
            } catch let error as AMQPError {
                #expect(error.replyCode == 530 || error.replyCode == 402 || error.replyCode == 403)
            }
        }

        @Test("nothing listening is a retryable connectionLost")
        func unreachable() async throws {
            do {
                _ = try await AMQPConnection.connect(to: "amqp://guest:guest@127.0.0.1:1/", logger: TestBroker.logger)
                Issue.record("connected to port 1")
            } catch let error as AMQPError {
                #expect(error.code == .connectionLost)
                #expect(error.isRetryable)
            }
        }

        @Test("heartbeats keep an idle connection alive in both directions")
        func heartbeatsKeepAlive() async throws {
            let connection = try await TestBroker.connect(heartbeat: 1)
            let channel = try await connection.openChannel()
            // Idle for 4 intervals: a missing client heartbeat would make the broker close us,
            // a missing broker heartbeat would make us close.
            try await Task.sleep(for: .seconds(4))
            try await channel.declareQueue(exclusive: true)
            try await connection.close()
        }

        @Test("the connection shows up in rabbitmqctl with our client properties")
        func clientProperties() async throws {
            let configuration = try TestBroker.configuration()
            let connection = try await AMQPConnection.connect(configuration: configuration, logger: TestBroker.logger)
            let listing = try TestBroker.rabbitmqctl("list_connections", "client_properties")
            #expect(listing.contains(configuration.connectionName!))
            #expect(listing.contains("authentication_failure_close"))
            try await connection.close()
        }

        @Test("connection.blocked and unblocked are surfaced as events")
        func blockedAndUnblocked() async throws {
            let connection = try await TestBroker.connect()
            let channel = try await connection.openChannel()
            let queue = try await channel.declareQueue(exclusive: true)
            let events = EventRecorder(connection)
            defer { _ = try? TestBroker.rabbitmqctl("set_vm_memory_high_watermark", "0.4") }
            try TestBroker.rabbitmqctl("set_vm_memory_high_watermark", "0.0001")
            // The broker blocks a connection when it publishes during the alarm.
            try await channel.publish(ByteBuffer(string: "x"), routingKey: queue.name)
            try await events.waitFor("blocked") { if case .blocked = $0 { true } else { false } }
            #expect(await connection.isBlocked)
            try TestBroker.rabbitmqctl("set_vm_memory_high_watermark", "0.4")
            try await events.waitFor("unblocked") { $0 == .unblocked }
            #expect(await connection.isBlocked == false)
            try await connection.close()
        }
    }
}
