import AMQP
import Foundation
import NIOCore
import TestSupport
import Testing

/// Runs a script of `scripts/amqp/interop` with python3 and returns its standard output.
enum Pika {
    static func run(_ script: String, _ arguments: String...) async throws -> String {
        let scriptPath = TestEnvironment.repositoryRoot.appendingPathComponent("scripts/amqp/interop/\(script)").path
        // On a thread of its own: the script runs for seconds (see `BlockingWork`).
        let outcome = try await ChildProcess.run("/usr/bin/env", ["python3", scriptPath] + arguments)
        guard outcome.status == 0 else {
            throw TestFailure("\(script) exited with \(outcome.status)")
        }
        return outcome.output
    }
}

extension IntegrationTests {
    /// The Swift client and pika (the Python client the original RabbitChat used) read each
    /// other's messages, properties and headers.
    @Suite("pika interop", .requires(.rabbitMQ, .pika))
    struct PikaInteropTests {
        @Test("Swift publishes, pika consumes: body, properties and headers preserved")
        func swiftToPika() async throws {
            let connection = try await TestBroker.connect()
            let channel = try await connection.openChannel()
            try await channel.enableConfirms()
            let queue = TestBroker.uniqueName("to-pika")
            try await channel.declareQueue(queue)
            let headers: AMQPTable = [
                "str": "héllo", "int": .int32(-42), "long": .int64(1 << 40), "bool": true, "double": .double(4.0),
                "decimal": .decimal(scale: 2, value: 314), "time": .timestamp(1_700_000_000),
                "bytes": .bytes([0, 1, 255]),
                "table": .table(["nested": "yes"]), "array": .array(["a", .int32(1), false]), "void": .void,
            ]
            for index in 0..<3 {
                try await channel.publish(
                    ByteBuffer(string: "message \(index) ✓"),
                    routingKey: queue,
                    properties: AMQPBasicProperties(
                        contentType: "text/plain", contentEncoding: "utf-8", headers: headers, deliveryMode: 2,
                        priority: 1,
                        correlationID: "c\(index)", replyTo: "replies", expiration: "60000",
                        messageID: "swift-\(index)",
                        timestamp: 1_700_000_000 + UInt64(index), type: "interop", userID: "guest", appID: "swift"
                    )
                )
            }
            let output = try await Pika.run("pika_consume.py", TestBroker.url, queue, "3")
            let messages = try output.split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            #expect(messages.count == 3)
            for (index, message) in messages.enumerated() {
                let body = Data(base64Encoded: message["body"] as? String ?? "") ?? Data()
                #expect(String(decoding: body, as: UTF8.self) == "message \(index) ✓")
                #expect(message["content_type"] as? String == "text/plain")
                #expect(message["content_encoding"] as? String == "utf-8")
                #expect(message["delivery_mode"] as? Int == 2)
                #expect(message["priority"] as? Int == 1)
                #expect(message["correlation_id"] as? String == "c\(index)")
                #expect(message["reply_to"] as? String == "replies")
                #expect(message["expiration"] as? String == "60000")
                #expect(message["message_id"] as? String == "swift-\(index)")
                #expect(message["timestamp"] as? Int == 1_700_000_000 + index)
                #expect(message["type"] as? String == "interop")
                #expect(message["user_id"] as? String == "guest")
                #expect(message["app_id"] as? String == "swift")
                let received = message["headers"] as? [String: [String: Any]] ?? [:]
                #expect(received["str"]?["str"] as? String == "héllo")
                #expect(received["int"]?["int"] as? Int == -42)
                #expect(received["long"]?["int"] as? Int == 1 << 40)
                #expect(received["bool"]?["bool"] as? Bool == true)
                // pika decodes `d` (double) values into Python ints (pika/data.py), so only the
                // integral part can be checked from its side.
                #expect(received["double"]?["int"] as? Int == 4)
                #expect(received["decimal"]?["decimal"] as? String == "3.14")
                #expect(received["time"]?["timestamp"] as? Int == 1_700_000_000)
                #expect(received["bytes"]?["bytes"] as? String == "AAH/")
                #expect(
                    (received["table"]?["table"] as? [String: [String: Any]])?["nested"]?["str"] as? String == "yes")
                #expect((received["array"]?["array"] as? [Any])?.count == 3)
                #expect(received["void"]?.keys.first == "void")
            }
            try await channel.deleteQueue(queue)
            try await connection.close()
        }

        @Test("pika publishes, Swift consumes: body, properties and headers preserved")
        func pikaToSwift() async throws {
            let connection = try await TestBroker.connect()
            let channel = try await connection.openChannel()
            let queue = TestBroker.uniqueName("from-pika")
            try await channel.declareQueue(queue)
            _ = try await Pika.run("pika_publish.py", TestBroker.url, queue, "3")
            let consumer = try await channel.consume(queue: queue)
            for index in 0..<3 {
                let delivery = try await consumer.next()
                #expect(String(buffer: delivery.body) == "{\"index\": \(index), \"text\": \"héllo\"}")
                let properties = delivery.properties
                #expect(properties.contentType == "application/json")
                #expect(properties.contentEncoding == "utf-8")
                #expect(properties.deliveryMode == 2)
                #expect(properties.priority == 4)
                #expect(properties.correlationID == "corr-\(index)")
                #expect(properties.replyTo == "replies")
                #expect(properties.expiration == "60000")
                #expect(properties.messageID == "pika-\(index)")
                #expect(properties.timestamp == 1_700_000_000 + UInt64(index))
                #expect(properties.type == "interop")
                #expect(properties.userID == "guest")
                #expect(properties.appID == "pika")
                let headers = try #require(properties.headers)
                #expect(headers["str"] == "hello")
                #expect(Self.integer(headers["int"]) == 42)
                #expect(Self.integer(headers["negative"]) == -7)
                #expect(Self.integer(headers["big"]) == 1 << 40)
                #expect(Self.integer(headers["index"]) == Int64(index))
                #expect(headers["bool"] == true)
                #expect(headers["decimal"] == .decimal(scale: 2, value: 314))
                #expect(headers["time"] == .timestamp(1_700_000_000))
                #expect(headers["bytes"] == .bytes([0, 1, 255]))
                #expect(headers["none"] == .void)
                guard case .table(let table) = headers["table"] else {
                    Issue.record("table header is \(String(describing: headers["table"]))")
                    continue
                }
                #expect(table["nested"] == "yes")
                guard case .array(let list) = headers["list"] else {
                    Issue.record("list header is \(String(describing: headers["list"]))")
                    continue
                }
                #expect(list.count == 3 && list[0] == "a" && list[2] == false)
                try await delivery.ack()
            }
            try await channel.deleteQueue(queue)
            try await connection.close()
        }

        /// pika writes integers as `I` or `l` depending on their size.
        static func integer(_ value: AMQPFieldValue?) -> Int64? {
            switch value {
            case .int8(let v): Int64(v)
            case .int16(let v): Int64(v)
            case .int32(let v): Int64(v)
            case .int64(let v): v
            case .uint8(let v): Int64(v)
            case .uint16(let v): Int64(v)
            case .uint32(let v): Int64(v)
            default: nil
            }
        }
    }
}
