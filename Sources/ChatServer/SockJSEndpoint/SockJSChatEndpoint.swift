import ChatCore
import CoreMetrics
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import RFC6455
import ServiceLifecycle
import SockJS

/// The chat over SockJS at `/sockjs`: the same protocol v1 sessions as `/ws`, for browsers
/// behind proxies that block WebSocket.
///
/// Each SockJS message is one protocol v1 frame, and every transport reaches the `Hub` through a
/// `SessionSink`, so the hub's fan-out (`FanOut`, one hop per event loop) is the only delivery
/// path:
///
/// - SockJS's WebSocket transports (`/sockjs/<server>/<session>/websocket` and the raw
///   `/sockjs/websocket`) are taken over before Hummingbird's upgrader (`webSocketTakeover`) and
///   served by a `ChatWebSocketHandler` with SockJS framing: a channel handler, no task per
///   socket, exactly like `/ws`.
/// - The HTTP transports (xhr-streaming, xhr-polling, eventsource, htmlfile, jsonp) keep the
///   session's frames in the session itself (`SockJSSessionSink`), bounded like a WebSocket's
///   outbox, until a request collects them; one task per session reads the client's messages.
///
/// A close code chosen anywhere (overflow 1013, restart 1012, oversize 1009) reaches the client
/// as SockJS's `c[code,"reason"]`. The origin allowlist applies to every transport, HTTP ones
/// included. Also mounts `/sockjs-client.min.js` and, when configured, the SockJS protocol test
/// services.
struct SockJSChatEndpoint: Sendable {
    /// Where the chat's SockJS service is mounted.
    static let prefix = "/sockjs"

    let hub: Hub
    let configuration: ServerConfiguration
    let originPolicy: OriginPolicy
    let logger: Logger
    /// The other nodes, when the broker is RabbitMQ: HTTP-transport requests for their sessions
    /// are forwarded to them, so no sticky sessions are needed.
    let cluster: (any SockJSCluster)?
    /// The loops the HTTP transports' sinks are spread over (the server's own).
    let eventLoopGroup: any EventLoopGroup

    init(
        hub: Hub, configuration: ServerConfiguration, cluster: (any SockJSCluster)? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger
    ) {
        self.hub = hub
        self.cluster = cluster
        self.configuration = configuration
        self.originPolicy = OriginPolicy(allowed: configuration.allowedOrigins)
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
    }

    /// The SockJS service's settings.
    var sockJSConfiguration: SockJSServer.Configuration {
        let originPolicy = self.originPolicy
        var sockJS = SockJSServer.Configuration()
        sockJS.sockJSClientURL = "/sockjs-client.min.js"
        // Pages of the allowed origins may use the iframe transports, which frame iframe.html.
        sockJS.frameAncestors = configuration.allowedOrigins
        // A protocol v1 frame travels JSON-escaped inside a SockJS array; leave room for that.
        sockJS.maxPayloadBytes = 2 * configuration.limits.maxFrameBytes + 1024
        sockJS.allowsOrigin = { origin, host in originPolicy.allows(origin: origin, host: host) }
        sockJS.disconnectDelay = configuration.sockJSDisconnectDelay
        return sockJS
    }

    /// Mounts the routes and returns the service that runs the SockJS sessions.
    func register<Context: RequestContext & WebSocketRequestContext>(on router: Router<Context>) -> SockJSServices {
        let chat = SockJSServer(configuration: sockJSConfiguration, cluster: cluster, logger: logger) { session in
            await serve(session)
        }
        chat.register(on: router, at: Self.prefix)
        var servers = [chat]
        if configuration.sockJSTestServices {
            // The spec's services: any origin may open a session (as in sockjs-node), the iframe
            // page is framed like the chat's, and the client script is the served one.
            var testServices = SockJSServer.Configuration()
            testServices.sockJSClientURL = "/sockjs-client.min.js"
            testServices.frameAncestors = configuration.allowedOrigins
            servers += SockJSTestServices.register(on: router, configuration: testServices, logger: logger)
        }
        SockJSClientScript(path: configuration.sockJSClientPath).register(on: router)
        return SockJSServices(servers: servers)
    }

    /// Runs one chat session on an HTTP transport until either side closes it: the client's
    /// messages go to the hub from here; the hub's frames go straight into the session's queue.
    func serve(_ session: SockJSSession) async {
        let metrics = hub.metrics
        metrics.sockJSConnections.increment()
        defer { metrics.sockJSConnections.decrement() }
        let sink = SockJSSessionSink(
            session: session, eventLoop: eventLoopGroup.next(), bounds: configuration.outbox, metrics: metrics)
        let id = await hub.connect(sink: sink)
        var sessionLogger = logger
        sessionLogger[metadataKey: "session"] = "\(id)"
        sessionLogger[metadataKey: "transport"] = "sockjs-\(session.transport.rawValue)"
        let logger = sessionLogger
        logger.debug("sockjs session opened")
        let maxFrameBytes = configuration.limits.maxFrameBytes
        // Each message is one protocol v1 frame, bounded like a /ws frame.
        for await message in session.messages {
            guard message.bytes.readableBytes <= maxFrameBytes else {
                sink.close(.messageTooBig, reason: "frame exceeds \(maxFrameBytes) bytes")
                break
            }
            await hub.receive(message.bytes.readableBytesView, from: id, receivedAt: message.receivedAt)
        }
        // The client left, the session expired or was closed: end the hub session.
        await hub.disconnect(id)
        logger.debug("sockjs session closed")
    }

    /// SockJS's WebSocket transports, served like `/ws` by a `ChatWebSocketHandler` (with SockJS
    /// framing) that `HTTP1CompatibilityHandler` installs in place of Hummingbird's upgrader.
    ///
    /// The handshake gate has already applied the origin allowlist. Unlike `/ws`, these
    /// connections do not count against `--max-connections-per-ip`. Requests that are not valid
    /// handshakes never get here: the SockJS routes answer them (400, 405).
    func webSocketTakeover(sendBufferBytes: Int?) -> WebSocketTakeover {
        let sockJS = sockJSConfiguration
        let maxMessageBytes = sockJS.maxPayloadBytes
        var framedLogger = logger
        framedLogger[metadataKey: "transport"] = "sockjs-websocket"
        let framed = ChatWebSocketHandler.Configuration(
            hub: hub, framing: .sockJS(heartbeat: TimeAmount(sockJS.heartbeatInterval)),
            maxFrameBytes: configuration.limits.maxFrameBytes, maxMessageBytes: maxMessageBytes,
            outbox: configuration.outbox,
            pingInterval: .milliseconds(configuration.webSocketPingInterval.wholeMilliseconds),
            closeTimeout: WebSocketChatEndpoint.closeGrace, connectionsPerAddress: nil, logger: framedLogger)
        let raw = {
            var raw = framed
            raw.framing = .sockJSRaw
            raw.logger[metadataKey: "transport"] = "sockjs-raw-websocket"
            return raw
        }()
        let prefix = Self.prefix
        let enabled = sockJS.webSocketEnabled
        return WebSocketTakeover { head, _ in
            let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            guard enabled, path.hasPrefix(prefix + "/"), let key = head.headers.first(name: "sec-websocket-key") else {
                return .pass
            }
            let handlerConfiguration: ChatWebSocketHandler.Configuration
            switch SockJSRoute(path: path.dropFirst(prefix.count)) {
            case .rawWebSocket: handlerConfiguration = raw
            case .session(_, _, .websocket): handlerConfiguration = framed
            default: return .pass
            }
            return .accept(
                .init(
                    headers: HTTPHeaders([("sec-websocket-accept", WebSocketHandshake.acceptValue(for: key))]),
                    maxFrameSize: maxMessageBytes,
                    install: { channel in
                        let handler = ChatWebSocketHandler(
                            configuration: handlerConfiguration,
                            address: WebSocketChatEndpoint.address(channel.remoteAddress))
                        // A fixed send buffer, as on /ws: a client that stopped reading meets its
                        // outbox bound instead of megabytes of autotuned kernel buffer.
                        if let sendBufferBytes {
                            try channel.syncOptions?.setOption(
                                ChannelOptions.socketOption(.so_sndbuf), value: SocketOptionValue(sendBufferBytes))
                        }
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }))
        }
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
