import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle
import SockJS

/// Runs a real Hummingbird server with SockJS services (real sockets, port picked by the OS).
///
/// Mounted: the spec's test services (`/echo` with a 4096-byte response limit, `/close`,
/// `/disabled_websocket_echo`, `/cookie_needed_echo`; sessions expire after 60 s) and `/fast`, an echo whose heartbeat and
/// disconnect delay are short so lifecycle tests need not wait 25 s.
enum SockJSTestServer {
    static let fastHeartbeat = Duration.milliseconds(200)
    static let fastDisconnectDelay = Duration.milliseconds(300)
    /// The disconnect delay of the spec's services here (their default is 5 s).
    static let patientDisconnectDelay = Duration.seconds(60)

    static func with(
        extra: @Sendable (Router<BasicWebSocketRequestContext>, Logger) -> [SockJSServer] = { _, _ in [] },
        _ body: @Sendable (_ port: Int) async throws -> Void
    ) async throws {
        var logger = Logger(label: "sockjs-test")
        logger.logLevel = .warning
        let router = Router(context: BasicWebSocketRequestContext.self)
        // The spec's services keep their defaults but for the disconnect delay: 5 s between a
        // poll and the next is what a loaded CI machine can take for a test's few requests, and
        // an expired session would start over with `o`. Expiry itself is tested on `/fast`.
        var services = SockJSServer.Configuration()
        services.disconnectDelay = patientDisconnectDelay
        var servers = SockJSTestServices.register(on: router, configuration: services, logger: logger)
        var fast = SockJSServer.Configuration()
        fast.heartbeatInterval = fastHeartbeat
        fast.disconnectDelay = fastDisconnectDelay
        let fastEcho = SockJSServer(configuration: fast, logger: logger, handler: SockJSTestServices.echo)
        fastEcho.register(on: router, at: "/fast")
        servers.append(fastEcho)
        servers += extra(router, logger)

        let ports = AsyncStream<Int>.makeStream()
        var app = Application(
            router: router,
            server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in ports.continuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        for server in servers { app.addServices(server) }
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var port = 0
            for await bound in ports.stream {
                port = bound
                break
            }
            do {
                try await body(port)
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
