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
/// close: a third task drops its connection `closeGrace` after the outbox closed. A client that
/// breaks RFC 6455 (invalid UTF-8 in text, bad fragmentation) is closed with the RFC's code (1007,
/// 1002) and a reason, through the outbox like every other close.
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
            await withTaskGroup(of: Ending.self) { group in
                group.addTask {
                    await Self.writeLoop(outbox: outbox, outbound: outbound, frames: frames, metrics: metrics)
                    return .writerDone
                }
                group.addTask {
                    do {
                        for try await message in inbound.checkedMessages(maxSize: maxFrameBytes) {
                            switch message {
                            case .text(let text):
                                await hub.receive(text.readableBytesView, from: id)
                            case .binary:
                                await hub.refuseBinary(from: id)
                            }
                        }
                    } catch let violation as WebSocketMessageAssembler.Violation {
                        logger.debug(
                            "websocket protocol violation; closing",
                            metadata: ["code": "\(violation.code)", "reason": "\(violation.reason)"])
                        // Queued before `disconnect` closes the outbox with 1000: the writer
                        // delivers it after the frames already queued.
                        let code = CloseCode(rawValue: UInt16(webSocketErrorCode: violation.code)) ?? .protocolError
                        outbox.close(code, reason: violation.reason)
                        await hub.disconnect(id)
                        return .readerClosing
                    } catch {
                        logger.debug("websocket read ended", metadata: ["error": "\(error)"])
                    }
                    // The client is gone (or the socket failed): end the session, which also
                    // closes the outbox and so ends the writer.
                    await hub.disconnect(id)
                    return .readerDone
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
                    return .graceOver
                }
                // Whichever ends first ends the connection, except a reader that queued a close:
                // the writer must be left to deliver it. Cancelled mid-close, it would drop the
                // close frame (NIOAsyncWriter does not yield from a cancelled task) after the
                // library already marked the connection closing, so the client got no close code
                // and waited out the library's 5 s close timeout.
                while let ending = await group.next(), ending == .readerClosing {}
                group.cancelAll()
            }
        } onGracefulShutdown: {
            outbox.close(.serviceRestart, reason: "server restarting")
        }
        await hub.disconnect(id)
        logger.debug("websocket closed")
    }

    /// Which of a connection's tasks ended.
    enum Ending: Sendable {
        /// The writer delivered the close, or the socket failed under it.
        case writerDone
        /// The client left, or the socket failed: nothing more can be delivered.
        case readerDone
        /// The client broke the protocol and the reader queued the close; the writer delivers it.
        case readerClosing
        /// The writer did not deliver the close within `closeGrace`.
        case graceOver
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
