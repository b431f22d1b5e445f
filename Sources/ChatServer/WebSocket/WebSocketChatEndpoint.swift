import ChatCore
import CoreMetrics
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1
import NIOWebSocket
import ServiceLifecycle
import SockJS

/// The native WebSocket endpoint: one protocol v1 chat session per connection.
///
/// Each connection runs two loops: the reader hands text frames to the `Hub`; the writer drains
/// the session's bounded `SessionOutbox` and writes the pre-encoded frames, a batch at a time,
/// straight into the channel (`WebSocketFrameWriter`). Closing goes through
/// the outbox too, so a close code chosen anywhere (overflow 1013, shutdown 1012) reaches the
/// client after the frames queued before it. A client that does not read at all cannot take the
/// close: a third task drops its connection `closeGrace` after the outbox closed.
struct WebSocketChatEndpoint: Sendable {
    let hub: Hub
    let limits: ChatLimits
    /// Origins and connections per address, also applied by the HTTP layer's handshake gate.
    let handshakePolicy: WebSocketHandshakePolicy
    /// Open connections per client address (`--max-connections-per-ip`).
    var connectionsPerAddress: ConnectionsPerAddress { handshakePolicy.connectionsPerAddress }
    /// `SO_SNDBUF` of each connection (`ServerConfiguration.webSocketSendBufferBytes`); nil
    /// leaves it to the kernel.
    let sendBufferBytes: Int?
    let logger: Logger

    func register(on router: Router<ChatRequestContext>, path: RouterPath) {
        router.ws(
            path,
            shouldUpgrade: { request, context in
                // The server's handshake gate answers refusals with a JSON 403/429 before the
                // upgrader runs; checked again here in case the endpoint is served without it.
                if let refusal = handshakePolicy.refusal(
                    path: request.uri.path, origins: request.headers[values: .origin], host: request.head.authority,
                    address: Self.address(of: context))
                {
                    throw HTTPError(.init(code: Int(refusal.status.code)), message: refusal.message)
                }
                return .upgrade([:])
            },
            onUpgrade: { inbound, outbound, context in
                // Checked again here, taking the slot: handshakes racing past `shouldUpgrade`
                // cannot exceed the limit.
                let address = Self.address(of: context.requestContext)
                guard connectionsPerAddress.tryAcquire(address) else {
                    try? await outbound.close(.policyViolation, reason: "too many connections from this address")
                    return
                }
                defer { connectionsPerAddress.release(address) }
                // A fixed send buffer also turns off the kernel's autotuning, which would let a
                // client that stopped reading hold megabytes before its outbox sees any of it.
                let channel = context.requestContext.channel
                if let sendBufferBytes {
                    try? await channel.setOption(
                        ChannelOptions.socketOption(.so_sndbuf), value: SocketOptionValue(sendBufferBytes)
                    ).get()
                }
                guard let frames = try? await WebSocketFrameWriter.install(on: channel) else {
                    return  // the connection closed before it could be served
                }
                await serve(inbound: inbound, outbound: outbound, frames: frames)
            }
        )
    }

    /// How long the writer may take to deliver the frames queued before a close, and the close
    /// itself, before the connection is dropped.
    static let closeGrace: Duration = .seconds(5)

    /// The client's IP address (without the port), the key of the per-address limit.
    static func address(of context: ChatRequestContext) -> String {
        context.remoteAddress?.ipAddress ?? "unknown"
    }

    func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, frames: WebSocketFrameWriter) async {
        let metrics = hub.metrics
        metrics.webSocketConnections.increment()
        defer { metrics.webSocketConnections.decrement() }
        let (id, outbox) = await hub.connect()
        var sessionLogger = self.logger
        sessionLogger[metadataKey: "session"] = "\(id)"
        let logger = sessionLogger
        logger.debug("websocket connected")
        let hub = self.hub
        let maxFrameBytes = limits.maxFrameBytes

        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    await Self.writeLoop(outbox: outbox, outbound: outbound, frames: frames, metrics: metrics)
                }
                group.addTask {
                    do {
                        for try await message in inbound.messages(maxSize: maxFrameBytes) {
                            switch message {
                            case .text(let text):
                                await hub.receive(Array(text.utf8), from: id)
                            case .binary:
                                await hub.refuseBinary(from: id)
                            }
                        }
                    } catch {
                        logger.debug("websocket read ended", metadata: ["error": "\(error)"])
                    }
                    // The client is gone (or the socket failed): end the session, which also
                    // closes the outbox and so ends the writer.
                    await hub.disconnect(id)
                }
                group.addTask {
                    // A writer stuck behind a client that stopped reading never delivers the
                    // close (1013 after an overflow): hang up after a grace period instead.
                    // Returning is not enough: the library's own close handshake would wait
                    // for writability forever, keeping the socket and its buffered bytes.
                    await outbox.waitUntilClosing()
                    do {
                        try await Task.sleep(for: Self.closeGrace)
                        try await frames.channel.close()
                    } catch {
                        // Cancelled: the close was delivered or the client left in time.
                    }
                }
                await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            outbox.close(.serviceRestart, reason: "server restarting")
        }
        await hub.disconnect(id)
        logger.debug("websocket closed")
    }

    static func writeLoop(
        outbox: SessionOutbox, outbound: WebSocketOutboundWriter, frames writer: WebSocketFrameWriter, metrics: ChatMetrics
    ) async {
        do {
            while let item = await outbox.next() {
                metrics.recordOutbound(item)
                switch item {
                case .frames(let frames):
                    try await writer.write(frames)
                case .close(let code, let reason):
                    try await outbound.close(WebSocketErrorCode(codeNumber: Int(code.rawValue)), reason: reason)
                    return
                }
            }
        } catch {
            // The socket is gone; the reader notices and ends the session.
        }
    }
}
