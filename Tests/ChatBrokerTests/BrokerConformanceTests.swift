import ChatBroker
import ChatCore
import Foundation
import Logging
import NIOCore
import Synchronization
import TestSupport
import Testing

/// One suite, both brokers: the in-process broker and RabbitMQ must route, confirm and order
/// exactly alike, so the hub behaves the same on one node and many.
@Suite("Broker conformance", .timeLimit(.minutes(2)))
struct BrokerConformanceTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case inProcess, rabbitMQ
        var testDescription: String { rawValue }

        /// What the kind needs from the machine.
        var services: [TestEnvironment.Service] {
            switch self {
            case .inProcess: []
            case .rabbitMQ: [.rabbitMQ]
            }
        }

        /// The kinds this machine can run: `rabbitMQ` only with RabbitMQ there, or under CI
        /// (where its absence fails). `rabbitMQCasesRun` reports the missing broker as skipped.
        static var available: [Kind] {
            get async { await TestEnvironment.available(allCases, needing: \.services) }
        }
    }

    @Test("RabbitMQ is there for the rabbitMQ cases of this suite", .requires(.rabbitMQ))
    func rabbitMQCasesRun() async {
        #expect(await Kind.available.contains(.rabbitMQ))
    }

    /// Two nodes' brokers on one fabric (one exchange), isolated from every other test.
    static func withBrokers(_ kind: Kind, _ body: ([any Broker]) async throws -> Void) async throws {
        switch kind {
        case .inProcess:
            let exchange = InProcessExchange()
            try await body([exchange.makeBroker(), exchange.makeBroker()])
        case .rabbitMQ:
            try await TestEnvironment.require(.rabbitMQ)
            let exchange = "rabbitchat-test-\(UUID().uuidString.prefix(8))"
            var logger = Logger(label: "broker-test")
            logger.logLevel = .warning
            let brokers = [
                try await RabbitMQBroker.connect(
                    configuration: .init(url: TestEnvironment.amqpURL, exchange: exchange), logger: logger),
                try await RabbitMQBroker.connect(
                    configuration: .init(url: TestEnvironment.amqpURL, exchange: exchange), logger: logger),
            ]
            do {
                try await body(brokers)
            } catch {
                for broker in brokers { await broker.close() }
                throw error
            }
            for broker in brokers { await broker.close() }
        }
    }

    /// Collects what a broker's consumer receives.
    final class Collector: Sendable {
        private let received = Mutex<[BrokerMessage]>([])
        var messages: [BrokerMessage] { received.withLock { $0 } }
        var topics: [String] { messages.map(\.topic) }

        func start(_ broker: any Broker) -> Task<Void, any Error> {
            Task { try await broker.consume { message in self.received.withLock { $0.append(message) } } }
        }

        /// Waits until `count` messages arrived (fails after 10 s).
        func wait(for count: Int) async throws {
            let deadline = ContinuousClock.now + .seconds(10)
            while messages.count < count {
                guard ContinuousClock.now < deadline else {
                    Issue.record("only \(messages.count) of \(count) messages arrived: \(topics)")
                    return
                }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    static func message(_ topic: String, _ text: String = "x") -> BrokerMessage {
        BrokerMessage(topic: topic, payload: ByteBuffer(string: text))
    }

    @Test("routes by topic pattern to every bound node and nowhere else", arguments: await Kind.available)
    func routing(kind: Kind) async throws {
        try await Self.withBrokers(kind) { brokers in
            let a = Collector()
            let b = Collector()
            let tasks = [a.start(brokers[0]), b.start(brokers[1])]
            try await brokers[0].bind("room.lobby.#")
            try await brokers[1].bind("room.lobby.#")
            try await brokers[1].bind("user.bob.#")
            try await brokers[0].publish(Self.message("room.lobby.msg", "hello"), confirm: true)
            try await brokers[0].publish(Self.message("room.other.msg"), confirm: true)
            try await brokers[1].publish(Self.message("user.bob.typing"), confirm: false)
            try await brokers[0].publish(Self.message("user.bobby.msg"), confirm: true)
            // A marker both nodes receive last, so nothing unexpected can still be in flight.
            try await brokers[0].bind("cluster.#")
            try await brokers[1].bind("cluster.#")
            try await brokers[0].publish(Self.message("cluster.end"), confirm: true)
            try await a.wait(for: 2)
            try await b.wait(for: 3)
            #expect(a.topics == ["room.lobby.msg", "cluster.end"])
            #expect(b.topics == ["room.lobby.msg", "user.bob.typing", "cluster.end"])
            #expect(a.messages.first.map { String(buffer: $0.payload) } == "hello")
            for task in tasks { task.cancel() }
        }
    }

    @Test("unbind stops delivery", arguments: await Kind.available)
    func unbind(kind: Kind) async throws {
        try await Self.withBrokers(kind) { brokers in
            let a = Collector()
            let task = a.start(brokers[0])
            try await brokers[0].bind("room.r.#")
            try await brokers[0].bind("cluster.#")
            try await brokers[1].publish(Self.message("room.r.msg", "1"), confirm: true)
            try await a.wait(for: 1)
            try await brokers[0].unbind("room.r.#")
            try await brokers[1].publish(Self.message("room.r.msg", "2"), confirm: true)
            try await brokers[1].publish(Self.message("cluster.end"), confirm: true)
            try await a.wait(for: 2)
            #expect(a.messages.map { String(buffer: $0.payload) } == ["1", "x"])
            task.cancel()
        }
    }

    @Test("confirmed publishes arrive in publish order", arguments: await Kind.available)
    func ordering(kind: Kind) async throws {
        try await Self.withBrokers(kind) { brokers in
            let b = Collector()
            let task = b.start(brokers[1])
            try await brokers[1].bind("room.seq.#")
            for i in 0..<500 {
                try await brokers[0].publish(Self.message("room.seq.msg", "\(i)"), confirm: i % 5 == 0)
            }
            try await b.wait(for: 500)
            #expect(b.messages.map { String(buffer: $0.payload) } == (0..<500).map(String.init))
            task.cancel()
        }
    }
}
