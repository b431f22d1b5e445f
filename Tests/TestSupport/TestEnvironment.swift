public import Foundation

/// Everything the tests read from the machine they run on: whether this is CI, where the test
/// services are, which test phase runs, and the knobs of a few tests.
///
/// Tests read the process environment only through this type, so each variable has one meaning.
/// The services themselves (is RabbitMQ reachable?) are `TestEnvironment.Service` values.
public enum TestEnvironment {
    /// Whether this run is CI: `CI` is set to something other than "", "0" or "false".
    ///
    /// Under CI a missing service fails the tests that need it; elsewhere they are skipped with
    /// the reason. `.ci/run` sets `CI=true`.
    public static let isCI = isCI(variable("CI"))

    /// Whether `value`, the value of `CI`, turns CI on (nil when the variable is unset).
    public static func isCI(_ value: String?) -> Bool {
        guard let value = value?.trimmingCharacters(in: .whitespaces) else { return false }
        return !["", "0", "false"].contains(value.lowercased())
    }

    /// The RabbitMQ the broker tests use: `RABBITCHAT_TEST_AMQP_URL`, by default the local one
    /// that scripts/services/rabbitmq.sh starts.
    public static let amqpURL = variable("RABBITCHAT_TEST_AMQP_URL") ?? "amqp://guest:guest@127.0.0.1:5672/"

    /// The PostgreSQL the store tests use: `RABBITCHAT_TEST_DATABASE_URL`, by default the
    /// database that scripts/services/postgresql.sh creates.
    public static let databaseURL =
        variable("RABBITCHAT_TEST_DATABASE_URL") ?? "postgres://rabbitchat:rabbitchat@127.0.0.1:5432/rabbitchat_test"

    /// The package's root directory.
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `rabbitchat` executable that multi-process tests start: `RABBITCHAT_BIN`, else
    /// `.build/debug/rabbitchat` of this package (`swift build --product rabbitchat`).
    public static let rabbitchatBinary =
        variable("RABBITCHAT_BIN") ?? repositoryRoot.appendingPathComponent(".build/debug/rabbitchat").path

    /// The `rabbitmq-server` that private test nodes run (`scripts/rabbitmq-cluster`).
    public static let rabbitMQServerPath = "/usr/lib/rabbitmq/bin/rabbitmq-server"

    /// The `rabbitmqctl` of the local RabbitMQ, for tests that inspect or restart the broker.
    public static let rabbitmqctlPath: String = {
        let candidates = ["/usr/sbin/rabbitmqctl", "/usr/lib/rabbitmq/bin/rabbitmqctl", "/usr/local/sbin/rabbitmqctl"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()

    /// The AMQP 0-9-1 spec XML that `scripts/amqp/generate.py` reads.
    /// Where tests put the data of the private RabbitMQ nodes they start
    /// (`scripts/rabbitmq-cluster`): `RABBITCHAT_TEST_RABBITMQ_DIR`, which `scripts/test` sets so
    /// that its exit trap can stop every node a crashed or timed-out test left behind; else the
    /// temporary directory.
    public static let privateRabbitMQDirectory =
        variable("RABBITCHAT_TEST_RABBITMQ_DIR") ?? NSTemporaryDirectory()

    public static let amqpSpecPath = "/usr/share/amqp/specs/0-9-1-rabbit/amqp0-9-1.stripped.extended.xml"

    /// The phase scripts/test runs (`RABBITCHAT_TEST_PHASE`), nil when every test runs at once
    /// (a plain `swift test`). See `TestPhase`.
    public static let phase = variable("RABBITCHAT_TEST_PHASE")

    /// Where the shared phase writes the filters of the suites that run in a phase of their own
    /// (`RABBITCHAT_TEST_PHASE_MANIFEST`, a directory), so scripts/test selects them by tag.
    public static let phaseManifest = variable("RABBITCHAT_TEST_PHASE_MANIFEST")

    /// Whether the AMQP tests log at debug level (`AMQP_TEST_LOG` set).
    public static let amqpDebugLogging = variable("AMQP_TEST_LOG") != nil

    /// How many frames the live-server fuzz test sends (`RABBITCHAT_FUZZ_FRAMES`).
    /// How many times `PostgresOutageTests` restarts PostgreSQL (`RABBITCHAT_PG_RESTARTS`).
    public static let postgresRestarts = variable("RABBITCHAT_PG_RESTARTS").flatMap { Int($0) }

    public static let fuzzFrames = variable("RABBITCHAT_FUZZ_FRAMES").flatMap { Int($0) }

    /// The seed of the live-server fuzz test (`RABBITCHAT_FUZZ_SEED`), to replay a failure.
    public static let fuzzSeed = variable("RABBITCHAT_FUZZ_SEED").flatMap { UInt64($0) }

    private static func variable(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name]
    }
}
