import ArgumentParser
import ChatCore
import ChatServer
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// `rabbitchat serve`: runs a chat node until SIGINT or SIGTERM.
///
/// Every flag can also come from an environment variable (flag beats environment beats default),
/// so the same binary configures cleanly under systemd, containers and tests.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the chat server (embedded broker and in-memory store by default).")

    @Option(help: "Interface to listen on. [env: RABBITCHAT_HOST] (default: 127.0.0.1)")
    var host: String?

    @Option(help: "TCP port. [env: RABBITCHAT_PORT] (default: 8080)")
    var port: Int?

    @Option(help: "trace, debug, info, notice, warning, error or critical. [env: RABBITCHAT_LOG_LEVEL] (default: info)")
    var logLevel: String?

    @Option(help: "This node's id. [env: RABBITCHAT_NODE_ID] (default: random)")
    var nodeID: String?

    @Option(
        help: "Comma-separated extra origins allowed to open WebSockets, or *. [env: RABBITCHAT_ALLOWED_ORIGINS]")
    var allowedOrigins: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var configuration = ServerConfiguration()
        configuration.host = host ?? environment["RABBITCHAT_HOST"] ?? configuration.host
        if let port = try port ?? Self.integer(environment, "RABBITCHAT_PORT") {
            guard (0...65535).contains(port) else { throw ValidationError("port must be 0...65535, not \(port)") }
            configuration.port = port
        }
        if let level = logLevel ?? environment["RABBITCHAT_LOG_LEVEL"] {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw ValidationError("unknown log level `\(level)`")
            }
            configuration.logLevel = parsed
        }
        if let node = nodeID ?? environment["RABBITCHAT_NODE_ID"] {
            guard ChatName.isValid(node, limits: configuration.limits) else {
                throw ValidationError("node id must be 1 to 32 characters of A-Z, a-z, 0-9, _ and -")
            }
            configuration.nodeID = node
        }
        if let origins = allowedOrigins ?? environment["RABBITCHAT_ALLOWED_ORIGINS"] {
            configuration.allowedOrigins = origins.split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }
        }

        let level = configuration.logLevel
        let host = configuration.host
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "rabbitchat")
        let app = ChatApplication.build(
            configuration: configuration, logger: logger,
            onServerRunning: { port in
                logger.notice("listening on http://\(host):\(port)")
            })
        var groupConfiguration = ServiceGroupConfiguration(
            services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(configuration.shutdownTimeoutSeconds)
        try await ServiceGroup(configuration: groupConfiguration).run()
        logger.notice("stopped")
    }

    static func integer(_ environment: [String: String], _ name: String) throws -> Int? {
        guard let value = environment[name] else { return nil }
        guard let number = Int(value) else { throw ValidationError("\(name) must be an integer, not `\(value)`") }
        return number
    }
}
