public import ChatCore
import Foundation
import Hummingbird
import HummingbirdWebSocket
public import Logging
import NIOCore

/// The composition root: builds the hub, its store and broker, the routes and the server.
///
/// Everything the server runs is in the returned application's `ServiceGroup`, so SIGTERM drains
/// it cleanly: WebSocket clients get 1012 (restart) and reconnect with jitter.
public enum ChatApplication {
    /// Builds the node for `configuration`; run it in a `ServiceGroup`.
    ///
    /// - Parameters:
    ///   - configuration: host, port, limits.
    ///   - store: the message store (in memory until durable stores land).
    ///   - broker: the broker (in-process by default).
    ///   - onServerRunning: called with the bound port once the server listens (tests use port 0).
    public static func build(
        configuration: ServerConfiguration,
        store: (any MessageStore)? = nil,
        broker: (any Broker)? = nil,
        logger: Logger? = nil,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> ChatNode {
        var logger = logger ?? Logger(label: "rabbitchat")
        logger.logLevel = configuration.logLevel
        logger[metadataKey: "node"] = "\(configuration.nodeID)"

        let hub = Hub(
            configuration: .init(
                nodeID: configuration.nodeID, limits: configuration.limits, outbox: configuration.outbox),
            store: store ?? InMemoryMessageStore(),
            broker: broker ?? InProcessExchange().makeBroker(),
            logger: logger
        )

        let router = Router(context: BasicWebSocketRequestContext.self)
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: JSONErrorMiddleware())
        HealthController(hub: hub).register(on: router)
        RoomsController(hub: hub).register(on: router)
        WebUIController().register(on: router)
        WebSocketChatEndpoint(
            hub: hub, limits: configuration.limits,
            originPolicy: OriginPolicy(allowed: configuration.allowedOrigins), logger: logger
        ).register(on: router, path: "/ws")

        var app = Application(
            router: router,
            server: .http1WebSocketUpgrade(
                webSocketRouter: router,
                configuration: .init(
                    ws: WebSocketServerConfiguration(
                        maxFrameSize: configuration.limits.maxFrameBytes,
                        autoPing: .enabled(timePeriod: .seconds(Int64(configuration.webSocketPingSeconds))),
                        closeTimeout: .seconds(5),
                        validateUTF8: true
                    )
                )
            ),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "rabbitchat"),
            onServerRunning: { channel in
                await onServerRunning(channel.localAddress?.port ?? configuration.port)
            },
            logger: logger
        )
        app.addServices(HubService(hub: hub))
        return ChatNode(application: app, hub: hub, logger: logger)
    }
}
