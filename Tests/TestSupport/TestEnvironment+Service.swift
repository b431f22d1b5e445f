import Foundation
import NIOCore
import NIOPosix
public import Testing

extension TestEnvironment {
    /// Something a test needs from the machine: a server, a tool, a file.
    ///
    /// Each service is probed once per test process, when a test first asks. A test that needs
    /// one either runs, or is skipped with the reason; under CI (`TestEnvironment.isCI`) its
    /// absence fails the test instead. Suites and tests say so with the `.requires(_:)` trait;
    /// code inside a test calls `TestEnvironment.require(_:)`.
    public struct Service: Sendable, CustomStringConvertible {
        /// What the test needs, e.g. "RabbitMQ at 127.0.0.1:5672".
        public let name: String
        /// How to provide it on a developer machine.
        public let remedy: String
        /// Nil when the service is available; otherwise why not.
        private let probe: Task<String?, Never>

        init(name: String, remedy: String, probe: @escaping @Sendable () async -> String?) {
            self.name = name
            self.remedy = remedy
            self.probe = Task { await probe() }
        }

        public var description: String { name }

        /// Nil when the service is available; otherwise why not.
        public func unavailability() async -> String? {
            await probe.value
        }

        /// Whether the service is available.
        public var isAvailable: Bool {
            get async { await unavailability() == nil }
        }
    }

    /// Why the first of `services` that is unavailable is so, naming it; nil when all are there.
    static func unavailability(of services: [Service]) async -> String? {
        for service in services {
            if let problem = await service.unavailability() {
                return "\(service.name) is unavailable (\(problem)); \(service.remedy)"
            }
        }
        return nil
    }

    /// Continues when every one of `services` is available. Otherwise it cancels the running
    /// test, which Swift Testing reports as skipped with the reason, or under CI throws
    /// `Unavailable`, which fails it.
    ///
    /// Swift Testing 6.3 reports a cancelled *case* of a parameterized test as passed, so a
    /// parameterized test cannot be skipped from inside: there this throws too. Such tests take
    /// their arguments from `available(_:needing:)` instead.
    public static func require(
        _ services: Service..., sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await require(services, sourceLocation: sourceLocation)
    }

    /// `require(_:)` for a list of services.
    public static func require(_ services: [Service], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        guard let problem = await unavailability(of: services) else { return }
        if isCI {
            throw Unavailable(description: "\(problem); CI is set, so this fails instead of skipping")
        }
        if Test.Case.current?.isParameterized == true {
            throw Unavailable(
                description: "\(problem); a parameterized case cannot be skipped, so this test takes "
                    + "its arguments from TestEnvironment.available(_:needing:)")
        }
        try Test.cancel(Comment(rawValue: "\(problem) — skipped outside CI"), sourceLocation: sourceLocation)
    }

    /// The arguments of a parameterized test whose services are available: all of them under
    /// CI (where a missing service then fails), else those whose `needs` are all there.
    ///
    /// The dropped arguments do not show in the test report; pair this with a test carrying
    /// `.requires(_:)` for the same services, which is reported as skipped with the reason.
    public static func available<Argument>(
        _ arguments: [Argument], needing needs: (Argument) -> [Service]
    ) async -> [Argument] {
        if isCI { return arguments }
        var result: [Argument] = []
        for argument in arguments where await unavailability(of: needs(argument)) == nil {
            result.append(argument)
        }
        return result
    }

    /// A service a test needs is missing under CI, or cannot be skipped.
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// The host and port of `url`.
    static func endpoint(_ url: String, defaultPort: Int) -> (host: String, port: Int) {
        let components = URLComponents(string: url)
        return (components?.host ?? "127.0.0.1", components?.port ?? defaultPort)
    }

    /// Nil when a TCP connection to `host:port` opens within 2 s; otherwise why not.
    static func tcpUnavailability(host: String, port: Int) async -> String? {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(2))
                .connect(host: host, port: port).get()
            try? await channel.close()
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Nil when the command exits with 0; otherwise why not.
    static func commandUnavailability(_ executable: String, _ arguments: [String]) async -> String? {
        guard let outcome = try? await ChildProcess.run(executable, arguments, timeoutSeconds: 30) else {
            return "\(executable) could not be started"
        }
        return outcome.status == 0 ? nil : "`\(arguments.joined(separator: " "))` exited with \(outcome.status)"
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test or suite when every one of `services` is available; otherwise it is skipped,
    /// with the reason, or under CI (`TestEnvironment.isCI`) fails.
    public static func requires(
        _ services: TestEnvironment.Service..., sourceLocation: SourceLocation = #_sourceLocation
    ) -> Self {
        let needs = services.map { "\($0.name) (\($0.remedy))" }.joined(separator: ", ")
        return .enabled(Comment(rawValue: "needs \(needs)"), sourceLocation: sourceLocation) {
            guard let problem = await TestEnvironment.unavailability(of: services) else { return true }
            if TestEnvironment.isCI {
                throw TestEnvironment.Unavailable(
                    description: "\(problem); CI is set, so this fails instead of skipping")
            }
            return false
        }
    }
}

extension TestEnvironment.Service {
    /// RabbitMQ accepting connections at `amqpURL`.
    public static let rabbitMQ: Self = {
        let (host, port) = TestEnvironment.endpoint(TestEnvironment.amqpURL, defaultPort: 5672)
        return Self(name: "RabbitMQ at \(host):\(port)", remedy: "run scripts/services/rabbitmq.sh") {
            await TestEnvironment.tcpUnavailability(host: host, port: port)
        }
    }()

    /// `rabbitmqctl` reaching the local RabbitMQ node (the tests that inspect or restart it).
    public static let rabbitmqctl = Self(
        name: "rabbitmqctl", remedy: "run scripts/services/rabbitmq.sh as a user that may run rabbitmqctl"
    ) {
        let path = TestEnvironment.rabbitmqctlPath
        guard FileManager.default.isExecutableFile(atPath: path) else { return "\(path) is missing" }
        guard let outcome = try? await ChildProcess.run(path, ["-q", "status"], timeoutSeconds: 30) else {
            return "\(path) could not be started"
        }
        return outcome.status == 0 ? nil : "rabbitmqctl status exited with \(outcome.status)"
    }

    /// The RabbitMQ server and Erlang installed (not necessarily running), so a test can start
    /// private RabbitMQ nodes of its own with `scripts/rabbitmq-cluster`.
    public static let rabbitMQServer = Self(
        name: "rabbitmq-server (installed)", remedy: "apt-get install rabbitmq-server"
    ) {
        let path = TestEnvironment.rabbitMQServerPath
        guard FileManager.default.isExecutableFile(atPath: path) else { return "\(path) is missing" }
        return FileManager.default.isExecutableFile(atPath: "/usr/bin/erl") ? nil : "/usr/bin/erl is missing"
    }

    /// PostgreSQL accepting connections at `databaseURL`.
    public static let postgreSQL: Self = {
        let (host, port) = TestEnvironment.endpoint(TestEnvironment.databaseURL, defaultPort: 5432)
        return Self(name: "PostgreSQL at \(host):\(port)", remedy: "run scripts/services/postgresql.sh") {
            await TestEnvironment.tcpUnavailability(host: host, port: port)
        }
    }()

    /// `python3` on the PATH.
    public static let python3 = Self(name: "python3", remedy: "install python3") {
        await TestEnvironment.commandUnavailability("/usr/bin/env", ["python3", "-c", "pass"])
    }

    /// The Python AMQP client pika, for the interoperability tests.
    public static let pika = Self(name: "pika", remedy: "python3 -m pip install pika") {
        await TestEnvironment.commandUnavailability("/usr/bin/env", ["python3", "-c", "import pika"])
    }

    /// The Debian package amqp-specs, which holds `amqpSpecPath`.
    public static let amqpSpecs = Self(name: "the AMQP spec XML", remedy: "apt-get install amqp-specs") {
        let path = TestEnvironment.amqpSpecPath
        return FileManager.default.fileExists(atPath: path) ? nil : "\(path) is missing"
    }

    /// The built `rabbitchat` executable (`TestEnvironment.rabbitchatBinary`).
    public static let rabbitchat = Self(name: "the rabbitchat executable", remedy: "swift build --product rabbitchat") {
        let path = TestEnvironment.rabbitchatBinary
        return FileManager.default.isExecutableFile(atPath: path) ? nil : "\(path) is missing"
    }
}
