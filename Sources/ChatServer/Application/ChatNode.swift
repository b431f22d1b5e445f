public import ChatCore
import Hummingbird
import Logging
public import ServiceLifecycle

/// One running chat node: the HTTP/WebSocket application and its hub, as a single `Service`.
///
/// Shutdown order matters for clients: before the HTTP server stops, every chat session is
/// closed with 1012 ("service restart") so clients reconnect with jitter instead of seeing a
/// bare 1000 or a reset. The node therefore runs its own `ServiceGroup` in which the session
/// drainer sits after the application and so receives graceful shutdown first.
public struct ChatNode: Service {
    let application: any Service
    /// The node's hub, for introspection.
    public let hub: Hub
    let logger: Logger

    init(application: some ApplicationProtocol, hub: Hub, logger: Logger) {
        self.application = application
        self.hub = hub
        self.logger = logger
    }

    public func run() async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: application),
                    .init(service: SessionDrainer(hub: hub)),
                ],
                logger: logger
            )
        )
        try await group.run()
    }
}

/// On graceful shutdown, closes every session with 1012 and waits (bounded) until they are gone.
struct SessionDrainer: Service {
    let hub: Hub

    func run() async throws {
        try? await gracefulShutdown()
        await hub.closeAll(.serviceRestart, reason: "server restarting")
        // Clients answer the close frame within milliseconds; do not let one that never answers
        // hold the shutdown: the HTTP server's own shutdown closes whatever is left.
        for _ in 0..<50 where await hub.sessionCount > 0 {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
