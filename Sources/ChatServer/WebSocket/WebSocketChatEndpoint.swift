import ChatCore
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import ServiceLifecycle

/// The native WebSocket endpoint: one protocol v1 chat session per connection.
///
/// Each connection runs two loops: the reader hands text frames to the `Hub`; the writer drains
/// the session's bounded `SessionOutbox` and writes the pre-encoded frames, a batch at a time,
/// straight into the channel (`WebSocketFrameWriter`). Closing goes through
/// the outbox too, so a close code chosen anywhere (overflow 1013, shutdown 1012) reaches the
/// client after the frames queued before it.
struct WebSocketChatEndpoint: Sendable {
    let hub: Hub
    let limits: ChatLimits
    let originPolicy: OriginPolicy
    let logger: Logger

    func register(on router: Router<ChatRequestContext>, path: RouterPath) {
        router.ws(
            path,
            shouldUpgrade: { request, _ in
                // Every Origin value must pass: a request carrying two is not from a browser we
                // can reason about.
                let origins = request.headers[values: .origin]
                let allowed =
                    origins.isEmpty
                    ? originPolicy.allows(origin: nil, host: request.head.authority)
                    : origins.allSatisfy { originPolicy.allows(origin: $0, host: request.head.authority) }
                guard allowed else {
                    throw HTTPError(.forbidden, message: "origin not allowed")
                }
                return .upgrade([:])
            },
            onUpgrade: { inbound, outbound, context in
                await serve(
                    inbound: inbound, outbound: outbound,
                    frames: WebSocketFrameWriter(channel: context.requestContext.channel))
            }
        )
    }

    func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, frames: WebSocketFrameWriter) async {
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
                    await Self.writeLoop(outbox: outbox, outbound: outbound, frames: frames)
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
                await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            outbox.close(.serviceRestart, reason: "server restarting")
        }
        await hub.disconnect(id)
        logger.debug("websocket closed")
    }

    static func writeLoop(outbox: SessionOutbox, outbound: WebSocketOutboundWriter, frames writer: WebSocketFrameWriter) async {
        do {
            while let item = await outbox.next() {
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
