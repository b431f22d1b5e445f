import ChatCore
import CoreMetrics
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle
import SockJS

/// The chat over SockJS at `/sockjs`: the same protocol v1 sessions as `/ws`, for browsers
/// behind proxies that block WebSocket.
///
/// Each SockJS message is one protocol v1 frame. A session is driven exactly like a native
/// WebSocket one: a reader hands messages to the same `Hub`, a writer drains the same bounded
/// `SessionOutbox`, and a close code chosen anywhere (overflow 1013, restart 1012, oversize 1009)
/// reaches the client as SockJS's `c[code,"reason"]`. The origin allowlist applies to every
/// transport, HTTP ones included. Also mounts `/sockjs-client.min.js` and, when configured, the
/// SockJS protocol test services.
struct SockJSChatEndpoint: Sendable {
    let hub: Hub
    let configuration: ServerConfiguration
    let originPolicy: OriginPolicy
    let logger: Logger
    /// The other nodes, when the broker is RabbitMQ: HTTP-transport requests for their sessions
    /// are forwarded to them, so no sticky sessions are needed.
    let cluster: (any SockJSCluster)?

    init(hub: Hub, configuration: ServerConfiguration, cluster: (any SockJSCluster)? = nil, logger: Logger) {
        self.hub = hub
        self.cluster = cluster
        self.configuration = configuration
        self.originPolicy = OriginPolicy(allowed: configuration.allowedOrigins)
        self.logger = logger
    }

    /// Mounts the routes and returns the service that runs the SockJS sessions.
    func register<Context: RequestContext & WebSocketRequestContext>(on router: Router<Context>) -> SockJSServices {
        let originPolicy = self.originPolicy
        var sockJS = SockJSServer.Configuration()
        sockJS.sockJSClientURL = "/sockjs-client.min.js"
        // A protocol v1 frame travels JSON-escaped inside a SockJS array; leave room for that.
        sockJS.maxPayloadBytes = 2 * configuration.limits.maxFrameBytes + 1024
        sockJS.allowsOrigin = { origin, host in originPolicy.allows(origin: origin, host: host) }
        let chat = SockJSServer(configuration: sockJS, cluster: cluster, logger: logger) { session in
            await serve(session)
        }
        chat.register(on: router, at: "/sockjs")
        var servers = [chat]
        if configuration.sockJSTestServices {
            servers += SockJSTestServices.register(on: router, logger: logger)
        }
        SockJSClientScript(path: configuration.sockJSClientPath).register(on: router)
        return SockJSServices(servers: servers)
    }

    /// Runs one chat session over SockJS until either side closes it.
    func serve(_ session: SockJSSession) async {
        let metrics = hub.metrics
        metrics.sockJSConnections.increment()
        defer { metrics.sockJSConnections.decrement() }
        let (id, outbox) = await hub.connect()
        var sessionLogger = logger
        sessionLogger[metadataKey: "session"] = "\(id)"
        sessionLogger[metadataKey: "transport"] = "sockjs-\(session.transport.rawValue)"
        let logger = sessionLogger
        logger.debug("sockjs session opened")
        let hub = self.hub
        let maxFrameBytes = configuration.limits.maxFrameBytes
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Writer: the outbox's frames become SockJS messages; its close becomes `c[...]`.
                while let item = await outbox.next() {
                    metrics.recordOutbound(item)
                    switch item {
                    case .frames(let frames):
                        for frame in frames {
                            guard await session.send(SockJSMessage(bytes: frame)) else { return }
                        }
                    case .close(let code, let reason):
                        session.close(code: Int(code.rawValue), reason: reason)
                        return
                    }
                }
            }
            group.addTask {
                // Reader: each message is one protocol v1 frame, bounded like a /ws frame.
                for await message in session.messages {
                    guard message.bytes.readableBytes <= maxFrameBytes else {
                        outbox.close(.messageTooBig, reason: "frame exceeds \(maxFrameBytes) bytes")
                        break
                    }
                    await hub.receive(Array(message.bytes.readableBytesView), from: id)
                }
                // The client left, the session expired or was closed: end the hub session,
                // which closes the outbox and so ends the writer.
                await hub.disconnect(id)
            }
        }
        logger.debug("sockjs session closed")
    }
}

/// Runs every mounted `SockJSServer` as one `Service`.
struct SockJSServices: Service {
    let servers: [SockJSServer]

    func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            for server in servers {
                group.addTask { try await server.run() }
            }
        }
    }
}
