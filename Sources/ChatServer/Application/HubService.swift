import ChatCore
import ServiceLifecycle

/// Runs the `Hub`'s broker consumer and typing sweeper as a `Service`, so it starts and stops
/// with the rest of the server under one `ServiceGroup`.
struct HubService: Service {
    let hub: Hub

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await hub.run()
            }
        } catch is CancellationError {
            // Graceful shutdown: the hub stops consuming; sessions were closed by their handlers.
        }
    }
}
