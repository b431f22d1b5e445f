import ArgumentParser
import ChatBroker
import ChatCore
import ChatServer
import ChatStore
import Foundation
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle
import UnixSignals

/// `rabbitchat serve`: runs a chat node until SIGINT or SIGTERM.
///
/// Every flag can also come from an environment variable (flag beats environment beats default),
/// so the same binary configures cleanly under systemd, containers and tests.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the chat server (embedded broker and a SQLite file by default).")

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

    @Flag(help: "Mount the SockJS protocol test services (/echo, /close, …) at the root. [env: RABBITCHAT_SOCKJS_TEST_SERVICES]")
    var sockjsTestServices = false

    @Option(
        help:
            "sockjs-client's sockjs.min.js, served at /sockjs-client.min.js. [env: RABBITCHAT_SOCKJS_CLIENT_PATH] (default: /usr/share/nodejs/sockjs-client/dist/sockjs.min.js)"
    )
    var sockjsClientPath: String?

    @Option(
        help: """
            sqlite:///path/file.sqlite (or a plain path), postgres://user:password@host:5432/database, or memory:. \
            [env: RABBITCHAT_DATABASE_URL] (default: rabbitchat.sqlite in the working directory)
            """)
    var databaseURL: String?

    @Option(
        help: """
            RabbitMQ URL (amqp://user:password@host:5672/vhost): share rooms with other nodes through RabbitMQ \
            instead of the in-process broker. Repeat the flag, or separate URLs with commas, to list the members \
            of a RabbitMQ cluster: the node fails over between them. [env: RABBITCHAT_AMQP_URL, comma-separated]
            """)
    var amqpURL: [String] = []

    @Option(
        help: """
            Seconds between this node's presence announcements; a node silent for three intervals is presumed \
            dead. [env: RABBITCHAT_PRESENCE_INTERVAL] (default: 5)
            """)
    var presenceInterval: Double?

    @Flag(help: "Refuse guests: every session must sign in with an account token. [env: RABBITCHAT_REQUIRE_AUTH=1]")
    var requireAuth = false

    @Option(help: "Sustained inbound frames per second per connection. [env: RABBITCHAT_RATE_LIMIT] (default: 20)")
    var rateLimit: Double?

    @Option(help: "Inbound frames a connection may send in a burst. [env: RABBITCHAT_RATE_LIMIT_BURST] (default: 40)")
    var rateLimitBurst: Int?

    @Option(
        help:
            "Sustained inbound frames per second per user, all their connections together. [env: RABBITCHAT_USER_RATE_LIMIT] (default: 50)"
    )
    var userRateLimit: Double?

    @Option(help: "Inbound frames a user may send in a burst. [env: RABBITCHAT_USER_RATE_LIMIT_BURST] (default: 100)")
    var userRateLimitBurst: Int?

    @Option(
        help: """
            rate_limited refusals (forgiven at one per second) before a flooding connection is closed with 1008. \
            [env: RABBITCHAT_RATE_LIMIT_CLOSE_AFTER] (default: 50)
            """)
    var rateLimitCloseAfter: Int?

    @Option(
        help:
            "Largest inbound frame in bytes; larger ones close the connection with 1009. [env: RABBITCHAT_MAX_FRAME_BYTES] (default: 65536)"
    )
    var maxFrameBytes: Int?

    @Option(
        help:
            "Longest message text, in Unicode scalars (longer: error text_too_long). [env: RABBITCHAT_MAX_TEXT_LENGTH] (default: 4000)"
    )
    var maxTextLength: Int?

    @Option(
        help: """
            Rooms with more users online get count-only presence instead of a frame per join and leave. \
            [env: RABBITCHAT_PRESENCE_DETAIL_LIMIT] (default: 1000)
            """)
    var presenceDetailLimit: Int?

    @Option(help: "Most rooms one session may be in. [env: RABBITCHAT_MAX_ROOMS_PER_SESSION] (default: 100)")
    var maxRoomsPerSession: Int?

    @Option(
        help: """
            Seconds a send may take to be stored and confirmed by the broker; past it the client gets error \
            unavailable and retries with the same cid. [env: RABBITCHAT_SEND_TIMEOUT] (default: 10)
            """)
    var sendTimeout: Double?

    @Option(
        help:
            "Most simultaneous /ws connections from one IP address (handshake refused beyond). [env: RABBITCHAT_MAX_CONNECTIONS_PER_IP] (default: 256)"
    )
    var maxConnectionsPerIp: Int?

    @Option(
        help: "Seconds a connection has to send hello (closed 4001 after); 0 disables. [env: RABBITCHAT_HELLO_TIMEOUT] (default: 10)"
    )
    var helloTimeout: Double?

    @Option(
        help:
            "Seconds without any inbound frame before a connection is closed (4002); 0 disables. [env: RABBITCHAT_IDLE_TIMEOUT] (default: 300)"
    )
    var idleTimeout: Double?

    @Option(
        help: """
            Seconds between WebSocket pings on /ws; a connection that has not answered one by the next is \
            closed with 1001. [env: RABBITCHAT_WEBSOCKET_PING_INTERVAL] (default: 30)
            """)
    var websocketPingInterval: Int?

    @Option(
        help: """
            Kernel send buffer (SO_SNDBUF) of each /ws connection in bytes; 0 leaves it to the kernel's \
            autotuning (up to megabytes held for a client that stopped reading). \
            [env: RABBITCHAT_WEBSOCKET_SEND_BUFFER] (default: 65536)
            """)
    var websocketSendBuffer: Int?

    @Option(
        help:
            "Most frames queued for one slow client before it is closed with 1013. [env: RABBITCHAT_OUTBOX_MAX_FRAMES] (default: 1024)"
    )
    var outboxMaxFrames: Int?

    @Option(
        help:
            "Most bytes queued for one slow client before it is closed with 1013. [env: RABBITCHAT_OUTBOX_MAX_BYTES] (default: 4194304)"
    )
    var outboxMaxBytes: Int?

    func run() async throws {
        // One event loop per CPU the process may use, not per CPU of the machine.
        if let allowed = CPUAffinity.allowedCount() {
            NIOSingletons.groupLoopCountSuggestion = allowed
        }
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

        try applyLimits(environment, to: &configuration)

        configuration.accounts.requireAuth = requireAuth || ["1", "true", "yes"].contains(
            environment["RABBITCHAT_REQUIRE_AUTH"]?.lowercased() ?? "")
        let database: DatabaseURL
        do {
            database = try DatabaseURL(
                parsing: databaseURL ?? environment["RABBITCHAT_DATABASE_URL"] ?? DatabaseURL.defaultSQLitePath)
        } catch {
            throw ValidationError("--database-url: \(error)")
        }

        if sockjsTestServices || ["1", "true", "yes"].contains(environment["RABBITCHAT_SOCKJS_TEST_SERVICES"]?.lowercased() ?? "") {
            configuration.sockJSTestServices = true
        }
        if let path = sockjsClientPath ?? environment["RABBITCHAT_SOCKJS_CLIENT_PATH"] {
            configuration.sockJSClientPath = path.isEmpty ? nil : path
        }

        let level = configuration.logLevel
        let host = configuration.host
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "rabbitchat")
        if let seconds = try presenceInterval ?? Self.number(environment, "RABBITCHAT_PRESENCE_INTERVAL") {
            guard seconds >= 0.1, seconds <= 3600 else {
                throw ValidationError("--presence-interval must be between 0.1 and 3600 seconds")
            }
            configuration.presenceAnnounceMillis = Int64(seconds * 1000)
        }
        var broker: (any Broker)? = nil
        let amqpURLs = (amqpURL.isEmpty ? environment["RABBITCHAT_AMQP_URL"].map { [$0] } ?? [] : amqpURL)
            .flatMap { RabbitMQBroker.Configuration.urls(in: $0) }
        if !amqpURLs.isEmpty {
            let url = amqpURLs.joined(separator: ",")
            do {
                broker = try await RabbitMQBroker.connect(
                    configuration: .init(url: url, connectionName: "rabbitchat \(configuration.nodeID)"),
                    logger: logger)
            } catch {
                throw ValidationError("cannot use RabbitMQ at \(amqpURLs.map(Self.redacted).joined(separator: ", ")): \(error)")
            }
            logger.notice("rooms are shared through RabbitMQ at \(amqpURLs.map(Self.redacted).joined(separator: ", "))")
        }
        let store = try database.openStore(logger: logger)
        switch database {
        case .memory: logger.notice("history and accounts in memory: lost on restart")
        case .sqlite(let path): logger.notice("history and accounts in SQLite file \(path)")
        case .postgres(let postgres):
            logger.notice("history and accounts in PostgreSQL at \(postgres.client.host ?? "?"):\(postgres.client.port ?? 5432)")
        }
        let app = ChatApplication.build(
            configuration: configuration, store: store, broker: broker, logger: logger,
            onServerRunning: { port in
                logger.notice("listening on http://\(host):\(port)")
            })
        var groupConfiguration = ServiceGroupConfiguration(
            services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(configuration.shutdownTimeoutSeconds)
        // A service that ignores cancellation (a call stuck on a dead dependency) must not keep
        // the process alive: after the drain and this much more, the group ends the process.
        groupConfiguration.maximumCancellationDuration = .seconds(Self.cancellationGraceSeconds)
        try await ServiceGroup(configuration: groupConfiguration).run()
        logger.notice("stopped")
    }

    /// Reads the rate limits, room and connection limits and timeouts.
    func applyLimits(_ environment: [String: String], to configuration: inout ServerConfiguration) throws {
        func positive(_ value: Double?, _ name: String) throws -> Double? {
            guard let value else { return nil }
            guard value > 0, value <= 1_000_000 else { throw ValidationError("\(name) must be above 0 and at most 1000000") }
            return value
        }
        func count(_ value: Int?, _ name: String) throws -> Int? {
            guard let value else { return nil }
            guard value >= 1, value <= 1_000_000 else { throw ValidationError("\(name) must be 1...1000000, not \(value)") }
            return value
        }
        func seconds(_ value: Double?, _ name: String) throws -> Double? {
            guard let value else { return nil }
            guard value >= 0, value <= 86_400 else { throw ValidationError("\(name) must be 0...86400 seconds") }
            return value
        }
        var inbound = configuration.inbound
        if let value = try positive(rateLimit ?? Self.number(environment, "RABBITCHAT_RATE_LIMIT"), "--rate-limit") {
            inbound.connectionFramesPerSecond = value
        }
        if let value = try count(
            rateLimitBurst ?? Self.integer(environment, "RABBITCHAT_RATE_LIMIT_BURST"), "--rate-limit-burst")
        {
            inbound.connectionBurst = value
        }
        if let value = try positive(
            userRateLimit ?? Self.number(environment, "RABBITCHAT_USER_RATE_LIMIT"), "--user-rate-limit")
        {
            inbound.userFramesPerSecond = value
        }
        if let value = try count(
            userRateLimitBurst ?? Self.integer(environment, "RABBITCHAT_USER_RATE_LIMIT_BURST"), "--user-rate-limit-burst")
        {
            inbound.userBurst = value
        }
        if let value = try count(
            rateLimitCloseAfter ?? Self.integer(environment, "RABBITCHAT_RATE_LIMIT_CLOSE_AFTER"),
            "--rate-limit-close-after")
        {
            inbound.refusalsBeforeClose = value
        }
        if let value = try seconds(helloTimeout ?? Self.number(environment, "RABBITCHAT_HELLO_TIMEOUT"), "--hello-timeout") {
            inbound.helloTimeoutSeconds = value
        }
        if let value = try seconds(idleTimeout ?? Self.number(environment, "RABBITCHAT_IDLE_TIMEOUT"), "--idle-timeout") {
            inbound.idleTimeoutSeconds = value
        }
        configuration.inbound = inbound
        if let value = try count(
            maxRoomsPerSession ?? Self.integer(environment, "RABBITCHAT_MAX_ROOMS_PER_SESSION"),
            "--max-rooms-per-session")
        {
            configuration.limits.maxRoomsPerSession = value
        }
        if let value = try sendTimeout ?? Self.number(environment, "RABBITCHAT_SEND_TIMEOUT") {
            guard value >= 0.1, value <= 600 else {
                throw ValidationError("--send-timeout must be between 0.1 and 600 seconds, not \(value)")
            }
            configuration.limits.sendTimeoutMillis = Int64(value * 1000)
        }
        if let value = try maxFrameBytes ?? Self.integer(environment, "RABBITCHAT_MAX_FRAME_BYTES") {
            guard value >= 1024, value <= 16 << 20 else {
                throw ValidationError("--max-frame-bytes must be 1024...16777216, not \(value)")
            }
            configuration.limits.maxFrameBytes = value
        }
        if let value = try count(maxTextLength ?? Self.integer(environment, "RABBITCHAT_MAX_TEXT_LENGTH"), "--max-text-length") {
            configuration.limits.maxTextScalars = value
        }
        if let value = try count(
            presenceDetailLimit ?? Self.integer(environment, "RABBITCHAT_PRESENCE_DETAIL_LIMIT"), "--presence-detail-limit")
        {
            configuration.limits.presenceDetailLimit = value
        }
        if let value = try count(
            maxConnectionsPerIp ?? Self.integer(environment, "RABBITCHAT_MAX_CONNECTIONS_PER_IP"),
            "--max-connections-per-ip")
        {
            configuration.maxConnectionsPerIP = value
        }
        if let value = try websocketPingInterval ?? Self.integer(environment, "RABBITCHAT_WEBSOCKET_PING_INTERVAL") {
            guard value >= 1, value <= 86_400 else {
                throw ValidationError("--websocket-ping-interval must be 1...86400 seconds, not \(value)")
            }
            configuration.webSocketPingSeconds = value
        }
        if let value = try websocketSendBuffer ?? Self.integer(environment, "RABBITCHAT_WEBSOCKET_SEND_BUFFER") {
            guard value == 0 || (4096...(64 << 20)).contains(value) else {
                throw ValidationError("--websocket-send-buffer must be 0 or 4096...67108864 bytes, not \(value)")
            }
            configuration.webSocketSendBufferBytes = value == 0 ? nil : value
        }
        if let value = try count(
            outboxMaxFrames ?? Self.integer(environment, "RABBITCHAT_OUTBOX_MAX_FRAMES"), "--outbox-max-frames")
        {
            configuration.outbox.maxFrames = value
        }
        if let value = try outboxMaxBytes ?? Self.integer(environment, "RABBITCHAT_OUTBOX_MAX_BYTES") {
            guard value >= 65_536, value <= 1 << 30 else {
                throw ValidationError("--outbox-max-bytes must be 65536...1073741824, not \(value)")
            }
            configuration.outbox.maxBytes = value
        }
    }

    static func number(_ environment: [String: String], _ name: String) throws -> Double? {
        guard let value = environment[name] else { return nil }
        guard let number = Double(value) else { throw ValidationError("\(name) must be a number, not `\(value)`") }
        return number
    }

    /// The URL without its password, for logs.
    /// How long services may take to end after the graceful shutdown timed out and they were
    /// cancelled; then the process ends anyway (SIGTERM always ends it within the shutdown
    /// timeout plus this).
    static let cancellationGraceSeconds: Int64 = 3

    static func redacted(_ url: String) -> String {
        guard let at = url.firstIndex(of: "@"), let scheme = url.range(of: "://"),
            let colon = url[scheme.upperBound..<at].firstIndex(of: ":")
        else { return url }
        return String(url[..<url.index(after: colon)]) + "***" + String(url[at...])
    }

    static func integer(_ environment: [String: String], _ name: String) throws -> Int? {
        guard let value = environment[name] else { return nil }
        guard let number = Int(value) else { throw ValidationError("\(name) must be an integer, not `\(value)`") }
        return number
    }
}
