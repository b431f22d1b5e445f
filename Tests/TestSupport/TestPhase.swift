import Foundation
public import Testing

/// The phases scripts/test runs the Swift tests in, chosen by tag.
///
/// `shared` runs every test that can share the machine and the local RabbitMQ. A suite that
/// cannot carries the tag of its own phase and the `.ownPhase` trait:
///
///     @Suite("Slow consumers", .tags(.slowConsumer), .ownPhase)
///
/// Swift Testing 6.3 cannot select tests by tag on the command line (`swift test --filter`
/// and `--skip` match test IDs only), so the tag is read by `.ownPhase` from
/// `RABBITCHAT_TEST_PHASE` (`TestEnvironment.phase`):
/// - unset (a plain `swift test`): the suite runs, except `.disruptive` ones, which stop the
///   RabbitMQ that everyone on the machine shares and run only when their phase is asked for;
/// - `shared`: the suite is skipped ("runs in its own phase"), and when
///   `RABBITCHAT_TEST_PHASE_MANIFEST` names a directory, its `--filter` is written to
///   `<directory>/<phase>/`, from where scripts/test runs the phase;
/// - the suite's phase: it runs; any other phase: it is skipped.
/// Renaming a suite cannot move it to another phase: only its tag decides.
public enum TestPhase: String, CaseIterable, Sendable {
    /// Everything that can share the machine, run in parallel.
    case shared
    /// Suites that load the whole machine (1,000 never-reading clients).
    case slowConsumer
    /// Suites against the real RabbitMQ that raise its alarms or restart it.
    case amqpIntegration
    /// Suites that stop the shared RabbitMQ: never beside anything else, and only when asked for.
    case disruptive
    /// Suites that restart the shared PostgreSQL: never beside anything else (not even the
    /// RabbitMQ outage), and only when asked for.
    case databaseOutage
    /// Suites that start a private RabbitMQ cluster (three Erlang nodes load the machine for
    /// minutes) and kill its nodes: alone, though they never touch the shared RabbitMQ.
    case rabbitMQCluster

    /// The tag that puts a suite into this phase; nil for `shared`, which needs none.
    public var tag: Tag? {
        switch self {
        case .shared: nil
        case .slowConsumer: .slowConsumer
        case .amqpIntegration: .amqpIntegration
        case .disruptive: .disruptive
        case .databaseOutage: .databaseOutage
        case .rabbitMQCluster: .rabbitMQCluster
        }
    }

    /// Whether the phase runs in a plain `swift test` too (without `RABBITCHAT_TEST_PHASE`).
    var runsByDefault: Bool { self != .disruptive && self != .databaseOutage }
}

extension Tag {
    /// Runs alone in scripts/test's `slowConsumer` phase: it loads the machine's CPU and TCP memory.
    @Tag public static var slowConsumer: Tag
    /// Runs alone in scripts/test's `amqpIntegration` phase: it raises RabbitMQ's alarms or restarts it.
    @Tag public static var amqpIntegration: Tag
    /// Runs alone in scripts/test's `disruptive` phase, and only there: it stops the shared RabbitMQ.
    @Tag public static var disruptive: Tag
    @Tag public static var databaseOutage: Tag
    /// Runs alone in scripts/test's `rabbitMQCluster` phase: it starts a private three-node
    /// RabbitMQ cluster and kills one of its nodes.
    @Tag public static var rabbitMQCluster: Tag
}
