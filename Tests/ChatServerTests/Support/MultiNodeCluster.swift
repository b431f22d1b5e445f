import Foundation
import Testing

/// Two or more real `rabbitchat serve` processes sharing rooms through the local RabbitMQ and
/// history through PostgreSQL: the multi-node deployment, on loopback.
enum MultiNodeCluster {
    static let amqpURL =
        ProcessInfo.processInfo.environment["RABBITCHAT_TEST_AMQP_URL"] ?? "amqp://guest:guest@127.0.0.1:5672/"
    static let databaseURL =
        ProcessInfo.processInfo.environment["RABBITCHAT_TEST_DATABASE_URL"]
        ?? "postgres://rabbitchat:rabbitchat@127.0.0.1:5432/rabbitchat_test"

    /// Whether RabbitMQ runs here; under CI its absence is a failure, elsewhere a skip.
    static func available() async -> Bool {
        if await RabbitMQCtl.isAvailable(), FileManager.default.isExecutableFile(atPath: ServerProcess.binary) { return true }
        if ProcessInfo.processInfo.environment["CI"]?.isEmpty == false {
            Issue.record("multi-node tests need RabbitMQ and \(ServerProcess.binary) under CI")
        }
        return false
    }

    /// Starts `count` nodes and runs `body`; every node is stopped afterwards.
    static func with(
        nodes count: Int, presenceInterval: Double = 1, _ body: ([ServerProcess]) async throws -> Void
    ) async throws {
        guard await available() else { return }
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
