public import Hummingbird
public import HummingbirdWebSocket
public import Logging
import NIOCore
public import ServiceLifecycle

/// A SockJS service: the SockJS 0.3 server protocol (every transport sockjs-client 1.6 speaks)
/// under one URL prefix, handing each new session to `handler`.
///
/// Mount it with `register(on:at:)` and run it as a `Service` next to the HTTP server: the
/// service owns the handlers of HTTP-transport sessions (which outlive the request that opened
/// them) and expires sessions after the disconnect delay. WebSocket sessions run inside their
/// connection.
public struct SockJSServer: Service {
    /// Serves one session; the session closes (3000 "Go away!") when it returns.
    public typealias Handler = @Sendable (SockJSSession) async -> Void

    let configuration: Configuration
    let logger: Logger
    let handler: Handler
    let registry: SessionRegistry
    let launcher = SessionLauncher()
    /// Where HTTP-transport requests for sessions held by other nodes go (nil: single node).
    let cluster: (any SockJSCluster)?

    /// - Parameters:
    ///   - configuration: heartbeats, delays, limits, cookies, origin policy.
    ///   - cluster: the other nodes behind the same load balancer, when there are any: requests
    ///     for their sessions are forwarded to them, and theirs for ours are served here.
    ///   - logger: where protocol errors are logged (at debug level).
    ///   - handler: runs once per session, on any transport.
    public init(
        configuration: Configuration = .init(), cluster: (any SockJSCluster)? = nil, logger: Logger,
        handler: @escaping Handler
    ) {
        self.configuration = configuration
        self.cluster = cluster
        self.logger = logger
        self.handler = handler
        self.registry = SessionRegistry(maxSessions: configuration.maxSessions)
    }

    /// Routes `prefix` and everything below it to this service.
    ///
    /// The router must also be the server's WebSocket router
    /// (`.http1WebSocketUpgrade(webSocketRouter:)`) for the WebSocket transports.
    ///
    /// - Parameters:
    ///   - router: the application's router.
    ///   - prefix: the service's base URL path, e.g. `/echo` (no trailing slash).
    public func register<Context: RequestContext & WebSocketRequestContext>(
        on router: Router<Context>, at prefix: String
    ) {
        let prefix = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        let framed = WebSocketUpgradeMiddleware<Context>(
            onUpgrade: { inbound, outbound, context in
                await serveWebSocket(inbound: inbound, outbound: outbound, request: context.request, raw: false)
            })
        let raw = WebSocketUpgradeMiddleware<Context>(
            onUpgrade: { inbound, outbound, context in
                await serveWebSocket(inbound: inbound, outbound: outbound, request: context.request, raw: true)
            })
        for path in [RouterPath(prefix), RouterPath(prefix + "/**")] {
            for method in [HTTPRequest.Method.get, .post, .options] {
                router.on(path, method: method) { request, context in
                    try await respond(to: request, context: context, prefix: prefix, framed: framed, raw: raw)
                }
            }
        }
    }

    /// Runs session handlers and expires idle sessions until graceful shutdown, then closes every
    /// session (1001) and waits for the handlers to finish.
    public func run() async throws {
        let delay = configuration.disconnectDelay
        let sweepPeriod = min(Duration.seconds(1), max(Duration.milliseconds(10), delay / 4))
        await withTaskGroup(of: Void.self) { outer in
            outer.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: sweepPeriod)
                    let removed = registry.sweep(now: .now(), delay: TimeAmount(delay))
                    for id in removed { await cluster?.sessionRemoved(id) }
                }
            }
            if let cluster {
                // Requests other nodes forwarded to our sessions; each is served like a local
                // one (the cluster bounds how many are in flight).
                outer.addTask {
                    await withDiscardingTaskGroup { forwarded in
                        for await exchange in cluster.inbound.cancelOnGracefulShutdown() {
                            forwarded.addTask {
                                await serveForwarded(exchange)
                                // Ends the relay even when the response could not be written.
                                try? await exchange.reply.end()
                            }
                        }
                    }
                }
            }
            await withDiscardingTaskGroup { handlers in
                for await session in launcher.sessions.cancelOnGracefulShutdown() {
                    handlers.addTask { await runHandler(session) }
                }
                registry.closeAll(code: 1001, reason: "Server shutting down")
            }
            outer.cancelAll()
        }
    }

    /// Runs the application's handler for `session`, closing the session when it returns.
    func runHandler(_ session: SockJSSession) async {
        await handler(session)
        session.close()
    }
}
