import ChatBroker
import ChatCore
import ChatStore
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// What `rabbitchat serve` does once its configuration is resolved: sizes the event loops,
/// starts logging, opens the broker and the store, and runs the node until SIGTERM or SIGINT.
public enum NodeLauncher {
    /// Runs a node with `configuration` until a shutdown signal, then shuts it down gracefully.
    ///
    /// - Throws: `ConfigurationError` when the broker or the store named in the configuration
    ///   cannot be used; whatever the node's services throw.
    public static func run(_ configuration: ServerConfiguration) async throws {
        // One event loop per CPU the process may use, not per CPU of the machine.
        if let allowed = CPUAffinity.allowedCount() {
            NIOSingletons.groupLoopCountSuggestion = allowed
        }
        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "rabbitchat")
        var broker: (any Broker)? = nil
        if !configuration.amqpURLs.isEmpty {
            let urls = configuration.amqpURLs.map(redacted).joined(separator: ", ")
            do {
                broker = try await RabbitMQBroker.connect(
                    configuration: .init(
                        url: configuration.amqpURLs.joined(separator: ","),
                        connectionName: "rabbitchat \(configuration.nodeID)"),
                    logger: logger)
            } catch {
                throw ConfigurationError(setting: "--amqp-url", problem: "cannot use RabbitMQ at \(urls): \(error)")
            }
            logger.notice("rooms are shared through RabbitMQ at \(urls)")
        }
        let database: DatabaseURL
        do {
            database = try DatabaseURL(parsing: configuration.databaseURL)
        } catch {
            throw ConfigurationError(setting: "--database-url", problem: "\(error)")
        }
        let store = try database.openStore(logger: logger)
        logger.notice("history and accounts in \(database)")
        let host = configuration.host
        let app = ChatApplication.build(
            configuration: configuration, store: store, broker: broker, logger: logger,
            onServerRunning: { port in
                logger.notice("listening on http://\(host):\(port)")
            })
        var groupConfiguration = ServiceGroupConfiguration(
            services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = configuration.shutdownTimeout
        // A service that ignores cancellation (a call stuck on a dead dependency) must not keep
        // the process alive: after the drain and this much more, the group ends the process.
        groupConfiguration.maximumCancellationDuration = cancellationGrace
        try await ServiceGroup(configuration: groupConfiguration).run()
        logger.notice("stopped")
    }

    /// How long services may take to end after the graceful shutdown timed out and they were
    /// cancelled; then the process ends anyway (SIGTERM always ends it within the shutdown
    /// timeout plus this).
    static let cancellationGrace = Duration.seconds(3)

    /// The URL without its password, for logs.
    static func redacted(_ url: String) -> String {
        guard let at = url.firstIndex(of: "@"), let scheme = url.range(of: "://"),
            let colon = url[scheme.upperBound..<at].firstIndex(of: ":")
        else { return url }
        return String(url[..<url.index(after: colon)]) + "***" + String(url[at...])
    }
}
