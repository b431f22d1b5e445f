public import ChatCore
import ChatStore
public import Logging
import SockJS

/// Everything `rabbitchat serve` can be told, with the embedded defaults.
public struct ServerConfiguration: Sendable {
    /// Interface to listen on.
    public var host: String
    /// TCP port; 0 picks a free one (tests).
    public var port: Int
    /// This node's id (random when not set).
    public var nodeID: String
    /// Input limits.
    public var limits: ChatLimits
    /// Bounds of every connection's outbound queue.
    public var outbox: SessionOutbox.Configuration
    /// Origins allowed to open a WebSocket besides the server's own (`Host`), e.g.
    /// `https://chat.example.com`. `*` allows any origin.
    public var allowedOrigins: [String]
    /// Interval of WebSocket pings that keep idle connections alive through proxies.
    public var webSocketPingInterval: Duration
    /// The kernel send buffer of each `/ws` connection (`SO_SNDBUF`; Linux doubles it), in bytes.
    ///
    /// Left to autotuning, a client that stopped reading takes up to `tcp_wmem`'s maximum
    /// (4 MiB) of kernel memory before anything backs up into its bounded outbox, so the outbox
    /// bound and the 1013 close would come only megabytes late, in memory no RSS shows. Chat
    /// frames are small: 64 KiB keeps ~1 MB/s per connection at a 100 ms round trip. Nil leaves
    /// the kernel's autotuning on.
    public var webSocketSendBufferBytes: Int? = 64 * 1024
    /// How long a graceful shutdown may take before the remaining work is cancelled.
    public var shutdownTimeout: Duration
    /// Log level of the server's logger.
    public var logLevel: Logger.Level
    /// Whether the SockJS protocol test services (`/echo`, `/close`, `/disabled_websocket_echo`,
    /// `/cookie_needed_echo`) are mounted at the root, for the official conformance spec.
    public var sockJSTestServices = false
    /// Where sockjs-client's minified script is read from, served at `/sockjs-client.min.js`
    /// (Debian's `node-sockjs-client` by default); nil or a missing file answers 404.
    public var sockJSClientPath: String? = "/usr/share/nodejs/sockjs-client/dist/sockjs.min.js"
    /// How long a SockJS session whose client stopped making requests is kept (the protocol's
    /// disconnect delay): its frames, or its close frame, wait that long for the next request.
    /// Not a flag: sockjs-client reconnects well within the default; tests on a loaded machine
    /// lengthen it.
    public var sockJSDisconnectDelay: Duration = SockJSServer.Configuration().disconnectDelay
    /// How often this node announces its members to the others; a node silent for three
    /// intervals is presumed dead and its users go offline.
    public var presenceAnnounce: Duration = .seconds(5)
    /// How long a user whose last session ended without `bye` (a reload, a dropped network)
    /// still counts as present in its rooms and online: a session that comes back within it
    /// posts no `left` and `joined`. Zero posts every departure at once.
    public var presenceGrace: Duration = .seconds(10)
    /// Accounts: `--require-auth`, token lifetime, bcrypt cost, login rate limits.
    public var accounts = AccountsConfiguration()
    /// Bots' and incoming webhooks' rate and size limits.
    public var bots = BotsConfiguration()
    /// Inbound rate limits (per connection and per user) and the hello and idle timeouts.
    public var inbound = InboundLimits()
    /// Where history and accounts live: `sqlite:///path`, a plain path, `postgres://…` or
    /// `memory:` (`DatabaseURL`).
    public var databaseURL = DatabaseURL.defaultSQLitePath
    /// The RabbitMQ to share rooms through, one URL per member of a RabbitMQ cluster (the node
    /// fails over between them); empty: the in-process broker (one node).
    public var amqpURLs: [String] = []
    /// Most simultaneous `/ws` connections from one IP address; more are refused at the handshake.
    /// Behind a reverse proxy the client's address comes from `X-Forwarded-For` when the proxy
    /// is in `trustedProxies`; otherwise every client shares the proxy's address.
    public var maxConnectionsPerIP = 256
    /// Reverse proxies whose `X-Forwarded-For` names the client, for the per-address limits;
    /// none by default, so a client cannot pick its own address with the header.
    public var trustedProxies = TrustedProxies.none
    /// Uploads: size limit, quota, rate, guests, and the collection of unreferenced ones.
    public var uploads = UploadsConfiguration()
    /// How long history is kept and how fast old history is pruned (`--retention-days`;
    /// rooms may override the days).
    public var retention = RetentionService.Configuration()

    public init(
        host: String = "127.0.0.1", port: Int = 8080, nodeID: String = Hub.randomNodeID(),
        limits: ChatLimits = .init(), outbox: SessionOutbox.Configuration = .init(), allowedOrigins: [String] = [],
        webSocketPingInterval: Duration = .seconds(30), shutdownTimeout: Duration = .seconds(10),
        logLevel: Logger.Level = .info
    ) {
        self.host = host
        self.port = port
        self.nodeID = nodeID
        self.limits = limits
        self.outbox = outbox
        self.allowedOrigins = allowedOrigins
        self.webSocketPingInterval = webSocketPingInterval
        self.shutdownTimeout = shutdownTimeout
        self.logLevel = logLevel
    }
}
