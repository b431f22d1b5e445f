import ChatBroker
import ChatCore
import ChatStore
import Foundation
import Logging

extension ServerSetting {
    /// Every setting of `rabbitchat serve`, in the order `--help` lists them.
    public static let all: [ServerSetting] =
        [
            host, port, logLevel, nodeID, allowedOrigins, sockJSTestServices, sockJSClientPath, databaseURL, amqpURL,
            presenceInterval, presenceGrace, requireAuth, rateLimit, rateLimitBurst, userRateLimit, userRateLimitBurst,
            rateLimitCloseAfter, maxFrameBytes, maxTextLength, presenceDetailLimit, maxRoomsPerSession, sendTimeout,
            maxConnectionsPerIP, trustedProxies, helloTimeout, idleTimeout, webSocketPingInterval, webSocketSendBuffer,
            outboxMaxFrames, outboxMaxBytes, maxUploadBytes, uploadQuotaBytes, uploadsPerMinute, allowGuestUploads,
            uploadGrace, uploadCollectInterval, retentionDays,
        ] + botSettings

    /// The setting of `flag` (without dashes).
    public static func named(_ flag: String) -> ServerSetting? { all.first { $0.flag == flag } }

    public static let host = ServerSetting("host", summary: "Interface to listen on.", default: { $0.host }) {
        value, configuration in
        configuration.host = value
    }

    public static let port = ServerSetting("port", summary: "TCP port.", default: { "\($0.port)" }) {
        value, configuration throws(Problem) in
        configuration.port = try integer(value, in: 0...65_535)
    }

    public static let logLevel = ServerSetting(
        "log-level", summary: "trace, debug, info, notice, warning, error or critical.",
        default: { $0.logLevel.rawValue }
    ) { value, configuration throws(Problem) in
        guard let level = Logger.Level(rawValue: value.lowercased()) else {
            throw Problem("unknown log level `\(value)`; use trace, debug, info, notice, warning, error or critical")
        }
        configuration.logLevel = level
    }

    public static let nodeID = ServerSetting("node-id", summary: "This node's id.", default: { _ in "random" }) {
        value, configuration throws(Problem) in
        guard ChatName.isValid(value, limits: configuration.limits) else {
            throw Problem("must be 1 to \(configuration.limits.maxNameLength) characters of A-Z, a-z, 0-9, _ and -")
        }
        configuration.nodeID = value
    }

    public static let allowedOrigins = ServerSetting(
        "allowed-origins", summary: "Comma-separated extra origins allowed to open WebSockets, or *."
    ) { value, configuration in
        configuration.allowedOrigins = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    public static let sockJSTestServices = ServerSetting(
        "sockjs-test-services", summary: "Mount the SockJS protocol test services (/echo, /close, …) at the root.",
        isSwitch: true
    ) { value, configuration in
        configuration.sockJSTestServices = isOn(value)
    }

    public static let sockJSClientPath = ServerSetting(
        "sockjs-client-path", summary: "sockjs-client's sockjs.min.js, served at /sockjs-client.min.js; empty: none.",
        default: { $0.sockJSClientPath }
    ) { value, configuration in
        configuration.sockJSClientPath = value.isEmpty ? nil : value
    }

    public static let databaseURL = ServerSetting(
        "database-url",
        summary:
            "sqlite:///path/file.sqlite (or a plain path), postgres://user:password@host:5432/database, or memory:.",
        default: { "\($0.databaseURL) in the working directory" }
    ) { value, configuration throws(Problem) in
        do {
            _ = try DatabaseURL(parsing: value)
        } catch {
            throw Problem("\(error)")
        }
        configuration.databaseURL = value
    }

    public static let amqpURL = ServerSetting(
        "amqp-url",
        summary:
            "RabbitMQ URL (amqp://user:password@host:5672/vhost): share rooms with other nodes through RabbitMQ instead of the in-process broker. Repeat the flag, or separate URLs with commas, to list the members of a RabbitMQ cluster: the node fails over between them."
    ) { value, configuration throws(Problem) in
        let urls = RabbitMQBroker.Configuration.urls(in: value)
        guard !urls.isEmpty, urls.allSatisfy({ $0.hasPrefix("amqp://") || $0.hasPrefix("amqps://") }) else {
            throw Problem("must be amqp:// URLs, such as amqp://guest:guest@127.0.0.1:5672/, separated by commas")
        }
        configuration.amqpURLs = urls
    }

    public static let presenceInterval = ServerSetting(
        "presence-interval",
        summary:
            "Seconds between this node's presence announcements; a node silent for three intervals is presumed dead.",
        default: { $0.presenceAnnounce.secondsDescription }
    ) { value, configuration throws(Problem) in
        configuration.presenceAnnounce = try seconds(value, in: 0.1...3_600)
    }

    public static let presenceGrace = ServerSetting(
        "presence-grace",
        summary:
            "Seconds a user whose last session ended without sign-out (a reload, a network drop) still counts as present; 0 posts departures at once.",
        default: { $0.presenceGrace.secondsDescription }
    ) { value, configuration throws(Problem) in
        configuration.presenceGrace = try seconds(value, in: 0...3_600)
    }

    public static let requireAuth = ServerSetting(
        "require-auth", summary: "Refuse guests: every session must sign in with an account token.", isSwitch: true
    ) { value, configuration in
        configuration.accounts.requireAuth = isOn(value)
    }

    public static let rateLimit = ServerSetting(
        "rate-limit", summary: "Sustained inbound frames per second per connection.",
        default: { $0.inbound.connectionFramesPerSecond.compactDescription }
    ) { value, configuration throws(Problem) in
        configuration.inbound.connectionFramesPerSecond = try rate(value)
    }

    public static let rateLimitBurst = ServerSetting(
        "rate-limit-burst", summary: "Inbound frames a connection may send in a burst.",
        default: { "\($0.inbound.connectionBurst)" }
    ) { value, configuration throws(Problem) in
        configuration.inbound.connectionBurst = try integer(value, in: 1...1_000_000)
    }

    public static let userRateLimit = ServerSetting(
        "user-rate-limit", summary: "Sustained inbound frames per second per user, all their connections together.",
        default: { $0.inbound.userFramesPerSecond.compactDescription }
    ) { value, configuration throws(Problem) in
        configuration.inbound.userFramesPerSecond = try rate(value)
    }

    public static let userRateLimitBurst = ServerSetting(
        "user-rate-limit-burst", summary: "Inbound frames a user may send in a burst.",
        default: { "\($0.inbound.userBurst)" }
    ) { value, configuration throws(Problem) in
        configuration.inbound.userBurst = try integer(value, in: 1...1_000_000)
    }

    public static let rateLimitCloseAfter = ServerSetting(
        "rate-limit-close-after",
        summary: "rate_limited refusals (forgiven at one per second) before a flooding connection is closed with 1008.",
        default: { "\($0.inbound.refusalsBeforeClose)" }
    ) { value, configuration throws(Problem) in
        configuration.inbound.refusalsBeforeClose = try integer(value, in: 1...1_000_000)
    }

    public static let maxFrameBytes = ServerSetting(
        "max-frame-bytes", summary: "Largest inbound frame in bytes; larger ones close the connection with 1009.",
        default: { "\($0.limits.maxFrameBytes)" }
    ) { value, configuration throws(Problem) in
        configuration.limits.maxFrameBytes = try integer(value, in: 1_024...(16 << 20))
    }

    public static let maxTextLength = ServerSetting(
        "max-text-length", summary: "Longest message text, in Unicode scalars (longer: error text_too_long).",
        default: { "\($0.limits.maxTextScalars)" }
    ) { value, configuration throws(Problem) in
        configuration.limits.maxTextScalars = try integer(value, in: 1...1_000_000)
    }

    public static let presenceDetailLimit = ServerSetting(
        "presence-detail-limit",
        summary: "Rooms with more users online get count-only presence instead of a frame per join and leave.",
        default: { "\($0.limits.presenceDetailLimit)" }
    ) { value, configuration throws(Problem) in
        configuration.limits.presenceDetailLimit = try integer(value, in: 1...1_000_000)
    }

    public static let maxRoomsPerSession = ServerSetting(
        "max-rooms-per-session", summary: "Most rooms one session may be in.",
        default: { "\($0.limits.maxRoomsPerSession)" }
    ) { value, configuration throws(Problem) in
        configuration.limits.maxRoomsPerSession = try integer(value, in: 1...1_000_000)
    }

    public static let sendTimeout = ServerSetting(
        "send-timeout",
        summary:
            "Seconds a send may take to be stored and confirmed by the broker; past it the client gets error unavailable and retries with the same cid.",
        default: { $0.limits.sendTimeout.secondsDescription }
    ) { value, configuration throws(Problem) in
        configuration.limits.sendTimeout = try seconds(value, in: 0.1...600)
    }

    public static let maxConnectionsPerIP = ServerSetting(
        "max-connections-per-ip",
        summary: "Most simultaneous /ws connections from one IP address (handshake refused beyond).",
        default: { "\($0.maxConnectionsPerIP)" }
    ) { value, configuration throws(Problem) in
        configuration.maxConnectionsPerIP = try integer(value, in: 1...1_000_000)
    }

    public static let trustedProxies = ServerSetting(
        "trusted-proxies",
        summary:
            "Comma-separated addresses or CIDR networks of reverse proxies (127.0.0.1, 10.0.0.0/8, ::1): from them, the client's address is the rightmost address in X-Forwarded-For that is not a trusted proxy, for the per-address limits. With none, the TCP peer is the client.",
        default: { $0.trustedProxies.isEmpty ? "none" : $0.trustedProxies.description }
    ) { value, configuration throws(Problem) in
        let entries = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        do throws(TrustedProxies.InvalidEntry) {
            configuration.trustedProxies = try TrustedProxies(parsing: entries)
        } catch {
            throw Problem("`\(error.entry)` is not an IP address or a CIDR network such as 10.0.0.0/8 or fd00::/8")
        }
    }

    public static let helloTimeout = ServerSetting(
        "hello-timeout", summary: "Seconds a connection has to send hello (closed 4001 after); 0 disables.",
        default: { $0.inbound.helloTimeout.secondsDescription }
    ) { value, configuration throws(Problem) in
        configuration.inbound.helloTimeout = try seconds(value, in: 0...86_400)
    }

    public static let idleTimeout = ServerSetting(
        "idle-timeout", summary: "Seconds without any inbound frame before a connection is closed (4002); 0 disables.",
        default: { $0.inbound.idleTimeout.secondsDescription }
    ) { value, configuration throws(Problem) in
        configuration.inbound.idleTimeout = try seconds(value, in: 0...86_400)
    }

    public static let webSocketPingInterval = ServerSetting(
        "websocket-ping-interval",
        summary:
            "Seconds between WebSocket pings on /ws; a connection that has not answered one by the next is closed with 1001.",
        default: { $0.webSocketPingInterval.secondsDescription }
    ) { value, configuration throws(Problem) in
        configuration.webSocketPingInterval = .seconds(try integer(value, in: 1...86_400))
    }

    public static let webSocketSendBuffer = ServerSetting(
        "websocket-send-buffer",
        summary:
            "Kernel send buffer (SO_SNDBUF) of each /ws connection in bytes; 0 leaves it to the kernel's autotuning (up to megabytes held for a client that stopped reading).",
        default: { $0.webSocketSendBufferBytes.map { "\($0)" } }
    ) { value, configuration throws(Problem) in
        guard let bytes = Int(value), bytes == 0 || (4_096...(64 << 20)).contains(bytes) else {
            throw Problem("must be 0 or 4096...67108864 bytes, not `\(value)`")
        }
        configuration.webSocketSendBufferBytes = bytes == 0 ? nil : bytes
    }

    public static let outboxMaxFrames = ServerSetting(
        "outbox-max-frames", summary: "Most frames queued for one slow client before it is closed with 1013.",
        default: { "\($0.outbox.maxFrames)" }
    ) { value, configuration throws(Problem) in
        configuration.outbox.maxFrames = try integer(value, in: 1...1_000_000)
    }

    public static let outboxMaxBytes = ServerSetting(
        "outbox-max-bytes", summary: "Most bytes queued for one slow client before it is closed with 1013.",
        default: { "\($0.outbox.maxBytes)" }
    ) { value, configuration throws(Problem) in
        configuration.outbox.maxBytes = try integer(value, in: 65_536...(1 << 30))
    }

    public static let maxUploadBytes = ServerSetting(
        "max-upload-bytes", summary: "The largest file POST /api/uploads accepts, in bytes.",
        default: { "\($0.uploads.maxUploadBytes)" }
    ) { value, configuration throws(Problem) in
        configuration.uploads.maxUploadBytes = Int64(try integer(value, in: 1...(1 << 40)))
    }

    public static let uploadQuotaBytes = ServerSetting(
        "upload-quota-bytes", summary: "The most bytes one user's uploads may hold together.",
        default: { "\($0.uploads.quotaBytes)" }
    ) { value, configuration throws(Problem) in
        configuration.uploads.quotaBytes = Int64(try integer(value, in: 1...(1 << 50)))
    }

    public static let uploadsPerMinute = ServerSetting(
        "uploads-per-minute", summary: "Uploads one user may make per minute (across nodes).",
        default: { "\($0.uploads.uploadsPerMinute)" }
    ) { value, configuration throws(Problem) in
        configuration.uploads.uploadsPerMinute = try integer(value, in: 1...1_000_000)
    }

    public static let allowGuestUploads = ServerSetting(
        "allow-guest-uploads", summary: "Let guests (no token) upload files, named by their nick.", isSwitch: true
    ) { value, configuration in
        configuration.uploads.allowGuests = isOn(value)
    }

    public static let uploadGrace = ServerSetting(
        "upload-grace", summary: "Seconds an upload no message carries is kept before it is collected.",
        default: { $0.uploads.collectionGrace.secondsDescription }
    ) { value, configuration throws(Problem) in
        configuration.uploads.collectionGrace = try seconds(value, in: 0...(366 * 86_400))
    }

    public static let uploadCollectInterval = ServerSetting(
        "upload-collect-interval", summary: "Seconds between collections of unreferenced uploads.",
        default: { $0.uploads.collectionInterval.secondsDescription }
    ) { value, configuration throws(Problem) in
        configuration.uploads.collectionInterval = try seconds(value, in: 0.1...86_400)
    }

    public static let retentionDays = ServerSetting(
        "retention-days",
        summary:
            "Prune messages older than this many days in the background; 0 keeps everything (rooms may override it).",
        default: { "\($0.retention.policy.defaultDays)" }
    ) { value, configuration throws(Problem) in
        configuration.retention.policy.defaultDays = try integer(value, in: 0...RetentionPolicy.maxDays)
    }
}
