import ArgumentParser
import ChatBroker
import ChatCore
import ChatServer
import ChatStore
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// `rabbitchat serve`: runs a chat node until SIGINT or SIGTERM.
///
/// Every flag can also come from an environment variable (flag beats environment beats
/// default). What each setting means, its default and its validation live in
/// `ServerSetting.all`; this command only parses the command line and runs the node.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the chat server (embedded broker and a SQLite file by default).")

    @Option(
        help:
            "A YAML configuration file (keys named like the flags); the environment and flags override it. [env: RABBITCHAT_CONFIG]"
    )
    var config: String?
    @Option(help: ArgumentHelp(ServerSetting.host.help)) var host: String?
    @Option(help: ArgumentHelp(ServerSetting.port.help)) var port: String?
    @Option(help: ArgumentHelp(ServerSetting.logLevel.help)) var logLevel: String?
    @Option(help: ArgumentHelp(ServerSetting.nodeID.help)) var nodeID: String?
    @Option(help: ArgumentHelp(ServerSetting.allowedOrigins.help)) var allowedOrigins: String?
    @Flag(help: ArgumentHelp(ServerSetting.sockJSTestServices.help)) var sockjsTestServices = false
    @Option(help: ArgumentHelp(ServerSetting.sockJSClientPath.help)) var sockjsClientPath: String?
    @Option(help: ArgumentHelp(ServerSetting.databaseURL.help)) var databaseURL: String?
    @Option(help: ArgumentHelp(ServerSetting.amqpURL.help)) var amqpURL: [String] = []
    @Option(help: ArgumentHelp(ServerSetting.presenceInterval.help)) var presenceInterval: String?
    @Option(help: ArgumentHelp(ServerSetting.presenceGrace.help)) var presenceGrace: String?
    @Flag(help: ArgumentHelp(ServerSetting.requireAuth.help)) var requireAuth = false
    @Option(help: ArgumentHelp(ServerSetting.rateLimit.help)) var rateLimit: String?
    @Option(help: ArgumentHelp(ServerSetting.rateLimitBurst.help)) var rateLimitBurst: String?
    @Option(help: ArgumentHelp(ServerSetting.userRateLimit.help)) var userRateLimit: String?
    @Option(help: ArgumentHelp(ServerSetting.userRateLimitBurst.help)) var userRateLimitBurst: String?
    @Option(help: ArgumentHelp(ServerSetting.rateLimitCloseAfter.help)) var rateLimitCloseAfter: String?
    @Option(help: ArgumentHelp(ServerSetting.maxFrameBytes.help)) var maxFrameBytes: String?
    @Option(help: ArgumentHelp(ServerSetting.maxTextLength.help)) var maxTextLength: String?
    @Option(help: ArgumentHelp(ServerSetting.presenceDetailLimit.help)) var presenceDetailLimit: String?
    @Option(help: ArgumentHelp(ServerSetting.maxRoomsPerSession.help)) var maxRoomsPerSession: String?
    @Option(help: ArgumentHelp(ServerSetting.sendTimeout.help)) var sendTimeout: String?
    @Option(help: ArgumentHelp(ServerSetting.maxConnectionsPerIP.help)) var maxConnectionsPerIp: String?
    @Option(help: ArgumentHelp(ServerSetting.trustedProxies.help)) var trustedProxies: String?
    @Option(help: ArgumentHelp(ServerSetting.helloTimeout.help)) var helloTimeout: String?
    @Option(help: ArgumentHelp(ServerSetting.idleTimeout.help)) var idleTimeout: String?
    @Option(help: ArgumentHelp(ServerSetting.webSocketPingInterval.help)) var websocketPingInterval: String?
    @Option(help: ArgumentHelp(ServerSetting.webSocketSendBuffer.help)) var websocketSendBuffer: String?
    @Option(help: ArgumentHelp(ServerSetting.outboxMaxFrames.help)) var outboxMaxFrames: String?
    @Option(help: ArgumentHelp(ServerSetting.outboxMaxBytes.help)) var outboxMaxBytes: String?
    @Option(help: ArgumentHelp(ServerSetting.maxUploadBytes.help)) var maxUploadBytes: String?
    @Option(help: ArgumentHelp(ServerSetting.uploadQuotaBytes.help)) var uploadQuotaBytes: String?
    @Option(help: ArgumentHelp(ServerSetting.uploadsPerMinute.help)) var uploadsPerMinute: String?
    @Flag(help: ArgumentHelp(ServerSetting.allowGuestUploads.help)) var allowGuestUploads = false
    @Option(help: ArgumentHelp(ServerSetting.uploadGrace.help)) var uploadGrace: String?
    @Option(help: ArgumentHelp(ServerSetting.uploadCollectInterval.help)) var uploadCollectInterval: String?
    @Option(help: ArgumentHelp(ServerSetting.retentionDays.help)) var retentionDays: String?
    @Option(help: ArgumentHelp(ServerSetting.botPostRate.help)) var botPostRate: String?
    @Option(help: ArgumentHelp(ServerSetting.hookPostRate.help)) var hookPostRate: String?
    @Option(help: ArgumentHelp(ServerSetting.botMaxBodyBytes.help)) var botMaxBodyBytes: String?

    /// The values given on the command line, by setting.
    var givenFlags: [String: String] {
        let values: [(ServerSetting, String?)] = [
            (.host, host), (.port, port), (.logLevel, logLevel), (.nodeID, nodeID), (.allowedOrigins, allowedOrigins),
            (.sockJSTestServices, sockjsTestServices ? "true" : nil), (.sockJSClientPath, sockjsClientPath),
            (.databaseURL, databaseURL), (.amqpURL, amqpURL.isEmpty ? nil : amqpURL.joined(separator: ",")),
            (.presenceInterval, presenceInterval),
            (.presenceGrace, presenceGrace),
            (.requireAuth, requireAuth ? "true" : nil), (.rateLimit, rateLimit), (.rateLimitBurst, rateLimitBurst),
            (.userRateLimit, userRateLimit), (.userRateLimitBurst, userRateLimitBurst),
            (.rateLimitCloseAfter, rateLimitCloseAfter), (.maxFrameBytes, maxFrameBytes),
            (.maxTextLength, maxTextLength), (.presenceDetailLimit, presenceDetailLimit),
            (.maxRoomsPerSession, maxRoomsPerSession), (.sendTimeout, sendTimeout),
            (.maxConnectionsPerIP, maxConnectionsPerIp), (.trustedProxies, trustedProxies),
            (.helloTimeout, helloTimeout), (.idleTimeout, idleTimeout),
            (.webSocketPingInterval, websocketPingInterval), (.webSocketSendBuffer, websocketSendBuffer),
            (.outboxMaxFrames, outboxMaxFrames), (.outboxMaxBytes, outboxMaxBytes),
            (.maxUploadBytes, maxUploadBytes), (.uploadQuotaBytes, uploadQuotaBytes),
            (.uploadsPerMinute, uploadsPerMinute), (.allowGuestUploads, allowGuestUploads ? "true" : nil),
            (.uploadGrace, uploadGrace), (.uploadCollectInterval, uploadCollectInterval),
            (.retentionDays, retentionDays), (.botPostRate, botPostRate), (.hookPostRate, hookPostRate),
            (.botMaxBodyBytes, botMaxBodyBytes),
        ]
        var flags: [String: String] = [:]
        for (setting, value) in values {
            if let value { flags[setting.flag] = value }
        }
        return flags
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let configuration: ServerConfiguration
        do {
            let file = try (config ?? environment["RABBITCHAT_CONFIG"]).map { path throws(ConfigurationError) in
                try ConfigurationFile.load(path: path)
            }
            configuration = try ServerConfiguration.resolve(flags: givenFlags, environment: environment, file: file)
        } catch {
            throw ValidationError(error.description)
        }
        try await NodeLauncher.run(configuration)
    }
}
