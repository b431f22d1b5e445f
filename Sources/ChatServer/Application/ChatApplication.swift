public import ChatCore
import ChatStore
import CoreMetrics
import Foundation
import Hummingbird
import HummingbirdWebSocket
public import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import SockJS

/// The composition root: builds the hub, its store and broker, the routes and the server.
///
/// Everything the server runs is in the returned application's `ServiceGroup`, so SIGTERM drains
/// it cleanly: WebSocket clients get 1012 (restart) and reconnect with jitter.
public enum ChatApplication {
    /// Builds the node for `configuration`; run it in a `ServiceGroup`.
    ///
    /// - Parameters:
    ///   - configuration: host, port, limits.
    ///   - store: the message store (in memory by default). A store that is a `Service` (the
    ///     PostgreSQL one) runs in the node's service group and stops after the HTTP server.
    ///   - accounts: where accounts live; by default the store when it is an `AccountStore`
    ///     (SQLite, PostgreSQL), else in memory.
    ///   - rooms: where rooms, members and bans live; by default the store when it is a
    ///     `RoomStore` (SQLite, PostgreSQL), else none (every room public, as before rooms were stored).
    ///   - broker: the broker (in-process by default).
    ///   - blobs: where uploaded files live; by default PostgreSQL's chunks for the PostgreSQL
    ///     store, a directory beside the SQLite file for SQLite, a temporary directory otherwise.
    ///     Uploads are served when the store is also an `UploadStore` (all three are).
    ///   - onServerRunning: called with the bound port once the server listens (tests use port 0).
    public static func build(
        configuration: ServerConfiguration,
        store: (any MessageStore)? = nil,
        accounts: (any AccountStore)? = nil,
        rooms: (any RoomStore)? = nil,
        broker: (any Broker)? = nil,
        blobs: (any BlobStore)? = nil,
        logger: Logger? = nil,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> ChatNode {
        var logger = logger ?? Logger(label: "rabbitchat")
        logger.logLevel = configuration.logLevel
        logger[metadataKey: "node"] = "\(configuration.nodeID)"

        // One registry per node: tests run several nodes in one process.
        let registry = PrometheusCollectorRegistry()
        var metricsFactory = PrometheusMetricsFactory(registry: registry)
        // Fan-out of one event to a node's sessions takes microseconds to milliseconds.
        metricsFactory.durationHistogramBuckets[ChatMetrics.Name.fanOutLatency] = [
            .microseconds(10), .microseconds(50), .microseconds(100), .microseconds(500), .milliseconds(1),
            .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(100), .seconds(1),
        ]
        let metrics = ChatMetrics(factory: metricsFactory)

        let store = store ?? InMemoryMessageStore()
        let accountService = AccountService(
            store: accounts ?? (store as? any AccountStore) ?? InMemoryAccountStore(),
            configuration: configuration.accounts, limits: configuration.limits)
        let roomStore = rooms ?? (store as? any RoomStore)
        let broker = broker ?? InProcessExchange().makeBroker()
        // With RabbitMQ, SockJS sessions are reachable from every node: relay messages share the
        // node's queue with chat events and are split off before the hub sees them.
        var hubBroker = broker
        var cluster: BrokerSockJSCluster? = nil
        if let returning = broker as? any ReturningBroker {
            let relay = BrokerSockJSCluster(broker: returning, nodeID: configuration.nodeID, logger: logger)
            hubBroker = SockJSRelayBroker(inner: broker, cluster: relay)
            cluster = relay
        }
        let hub = Hub(
            configuration: .init(
                nodeID: configuration.nodeID, limits: configuration.limits, outbox: configuration.outbox,
                presenceAnnounce: configuration.presenceAnnounce, presenceGrace: configuration.presenceGrace,
                inbound: configuration.inbound,
                metrics: metrics),
            store: store,
            broker: hubBroker,
            logger: logger,
            authenticator: accountService
        )

        let router = Router(context: ChatRequestContext.self)
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: JSONErrorMiddleware())
        router.add(middleware: ClientAddressMiddleware(trustedProxies: configuration.trustedProxies))
        HealthController(hub: hub).register(on: router)
        ReadinessController(hub: hub).register(on: router)
        MetricsController(registry: registry).register(on: router)
        RoomsController(hub: hub, rooms: roomStore).register(on: router)
        AccountController(accounts: accountService).register(on: router)
        let history = MessagesController(
            store: store, rooms: roomStore, accounts: accountService, limits: configuration.limits)
        history.register(on: router)
        if let search = store as? any MessageSearch {
            SearchController(search: search, history: history, accounts: accountService, limits: configuration.limits)
                .register(on: router)
        }
        // Bots post over HTTP and through hooks the way a session sends (`Hub.postAsBot`).
        BotMessagesController(hub: hub, accounts: accountService, configuration: configuration.bots).register(
            on: router)
        WebhookController(hub: hub, bots: accountService.bots, configuration: configuration.bots).register(on: router)
        AdminBotsController(
            accounts: accountService,
            administration: accountService.bots.map {
                BotAdministration(bots: $0, limits: configuration.limits, bcryptCost: configuration.accounts.bcryptCost)
            }
        ).register(on: router)
        var collector: UploadCollector?
        if let uploads = store as? any UploadStore,
            let blobs = blobs ?? defaultBlobStore(for: store, configuration, logger)
        {
            UploadController(
                uploads: uploads, blobs: blobs, accounts: accountService, configuration: configuration.uploads,
                limits: configuration.limits
            ).register(on: router)
            FileController(uploads: uploads, blobs: blobs, accounts: accountService).register(on: router)
            collector = UploadCollector(
                uploads: uploads, blobs: blobs, configuration: configuration.uploads, logger: logger)
        }
        WebUIController().register(on: router)
        let handshakePolicy = WebSocketHandshakePolicy(
            originPolicy: OriginPolicy(allowed: configuration.allowedOrigins),
            connectionsPerAddress: ConnectionsPerAddress(limit: configuration.maxConnectionsPerIP), chatPath: "/ws",
            trustedProxies: configuration.trustedProxies)
        let chatSockets = WebSocketChatEndpoint(
            hub: hub, limits: configuration.limits, handshakePolicy: handshakePolicy,
            sendBufferBytes: configuration.webSocketSendBufferBytes, outbox: configuration.outbox,
            pingInterval: .milliseconds(configuration.webSocketPingInterval.wholeMilliseconds), logger: logger)
        let sockJSEndpoint = SockJSChatEndpoint(
            hub: hub, configuration: configuration, cluster: cluster, logger: logger)
        let sockJS = sockJSEndpoint.register(on: router)

        // The HTTP and WebSocket layers log frame bytes at trace level: cap them at debug so no
        // token or message body ever reaches the log, whatever `--log-level` says.
        var serverLogger = logger
        serverLogger.logLevel = max(logger.logLevel, .debug)
        var app = Application(
            router: router,
            server: .http1WebSocketUpgradeForSockJS(
                webSocketRouter: router,
                configuration: .init(
                    // Only the generic SockJS services (the protocol test services) use this
                    // upgrader; the chat's WebSockets are taken over with their own limits.
                    ws: WebSocketServerConfiguration(
                        maxFrameSize: configuration.sockJSTestServices
                            ? max(configuration.limits.maxFrameBytes, SockJSTestServices.maxEchoPayloadBytes)
                            : configuration.limits.maxFrameBytes,
                        autoPing: .enabled(timePeriod: configuration.webSocketPingInterval),
                        closeTimeout: .seconds(5),
                        validateUTF8: true
                    )
                ),
                handshakeGate: handshakePolicy.gate,
                // `/ws` and SockJS's WebSockets: plain channel handlers, no task per socket.
                takeover: .first(of: [
                    chatSockets.takeover,
                    sockJSEndpoint.webSocketTakeover(sendBufferBytes: configuration.webSocketSendBufferBytes),
                ])
            ),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "rabbitchat"),
            onServerRunning: { channel in
                await onServerRunning(channel.localAddress?.port ?? configuration.port)
            },
            logger: serverLogger
        )
        if let storeService = store as? any Service {
            app.addServices(storeService)
        }
        // The broker stops after the hub (services stop in reverse order).
        if let brokerService = broker as? any Service {
            app.addServices(brokerService)
        }
        app.addServices(HubService(hub: hub))
        // After the store it deletes from (services stop in reverse order).
        if let collector {
            app.addServices(collector)
        }
        if let retention = store as? any MessageRetention {
            app.addServices(RetentionService(store: retention, configuration: configuration.retention, logger: logger))
        }
        // The relay stops after the SockJS services it serves (services stop in reverse order).
        if let cluster {
            app.addServices(cluster)
        }
        app.addServices(sockJS)
        return ChatNode(application: app, hub: hub, logger: logger)
    }

    /// The blob store that goes with `store`: PostgreSQL's chunks (every node reads them), a
    /// directory beside the SQLite file, or a fresh temporary directory (the in-memory store's
    /// files are as short-lived as its messages). nil, logged, when the directory cannot be made.
    static func defaultBlobStore(
        for store: any MessageStore, _ configuration: ServerConfiguration, _ logger: Logger
    ) -> (any BlobStore)? {
        if let postgres = store as? PostgresMessageStore { return PostgresBlobStore(store: postgres) }
        let directory =
            (store as? SQLiteMessageStore).map { DirectoryBlobStore.beside(databasePath: $0.path) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent(
                "rabbitchat-blobs-\(configuration.nodeID)-\(UUID().uuidString.lowercased())", isDirectory: true)
        do {
            return try DirectoryBlobStore(directory: directory)
        } catch {
            logger.error(
                "uploads are off: cannot use the blob directory",
                metadata: ["directory": "\(directory.path)", "error": "\(error)"])
            return nil
        }
    }
}
