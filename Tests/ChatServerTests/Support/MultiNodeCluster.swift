import Foundation
import TestSupport
import Testing

/// Two or more real `rabbitchat serve` processes sharing rooms through the local RabbitMQ and
/// history through PostgreSQL: the multi-node deployment, on loopback.
///
/// Suites that start a cluster carry `MultiNodeCluster.required`: without its services they are
/// skipped with the reason, and under CI they fail.
enum MultiNodeCluster {
    static let amqpURL = TestEnvironment.amqpURL
    static let databaseURL = TestEnvironment.databaseURL

    /// What a cluster needs: RabbitMQ (and `rabbitmqctl`, which the tests use to inspect it),
    /// PostgreSQL and the built `rabbitchat`.
    static var required: ConditionTrait {
        .requires(.rabbitMQ, .rabbitmqctl, .postgreSQL, .rabbitchat)
    }

    /// Starts `count` nodes and runs `body`; every node is stopped afterwards.
    static func with(
        nodes count: Int, presenceInterval: Double = 1, _ body: ([ServerProcess]) async throws -> Void
    ) async throws {
        try await TestEnvironment.require(.rabbitMQ, .rabbitmqctl, .postgreSQL, .rabbitchat)
        let run = UUID().uuidString.prefix(6).lowercased()
        var nodes: [ServerProcess] = []
        do {
            for index in 0..<count {
                nodes.append(
                    try await ServerProcess.start(
                        nodeID: "n\(index)-\(run)",
                        arguments: [
                            "--amqp-url", amqpURL, "--database-url", databaseURL,
                            "--presence-interval", "\(presenceInterval)",
                        ]))
            }
            try await body(nodes)
        } catch {
            for node in nodes { node.kill() }
            for node in nodes { Issue.record("log of \(node.nodeID):\n\(node.log.suffix(3000))") }
            throw error
        }
        for node in nodes where node.isRunning { _ = await node.terminate() }
    }

    /// A name no other test run uses (the PostgreSQL database outlives test runs).
    static func unique(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}
