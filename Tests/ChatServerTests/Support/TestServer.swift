import ChatCore
import ChatServer
import Hummingbird
import Logging
import ServiceLifecycle

/// Runs the real server (real sockets, port picked by the OS) for the duration of a test.
enum TestServer {
    /// Starts a server with `configuration` (port forced to 0), runs `body` with its port, then
    /// shuts it down gracefully.
    static func with(
        _ configuration: ServerConfiguration = .init(),
        store: (any MessageStore)? = nil,
        broker: (any Broker)? = nil,
        _ body: @Sendable (_ port: Int, _ group: ServiceGroup) async throws -> Void
    ) async throws {
        var configuration = configuration
        configuration.port = 0
        configuration.logLevel = .warning
        let ports = AsyncStream<Int>.makeStream()
        let app = ChatApplication.build(
            configuration: configuration, store: store, broker: broker,
            onServerRunning: { port in ports.continuation.yield(port) })
        let group = ServiceGroup(
            configuration: .init(services: [app], logger: Logger(label: "test-server")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var port = 0
            for await p in ports.stream {
                port = p
                break
            }
            do {
                try await body(port, group)
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// Runs `body` against a server whose messages and accounts live in a fresh `database`.
    static func with(
        _ configuration: ServerConfiguration = .init(),
        database: TestDatabase,
        _ body: @Sendable (_ port: Int, _ group: ServiceGroup) async throws -> Void
    ) async throws {
        try await database.with { location in
            try await with(configuration, store: try location.open(), body)
        }
    }
}
