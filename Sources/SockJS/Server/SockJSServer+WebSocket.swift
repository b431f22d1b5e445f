import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import RFC6455
import ServiceLifecycle

extension SockJSServer {
    /// Validates a WebSocket handshake and hands valid ones to Hummingbird's upgrader.
    ///
    /// The same route answers the upgrade probe and plain HTTP requests, so it must refuse
    /// requests that are not upgrades with the spec's 400/405 instead of a bare 200.
    func webSocketHandshake<Context: RequestContext & WebSocketRequestContext>(
        _ request: Request, context: Context, upgrade: WebSocketUpgradeMiddleware<Context>
    ) async throws -> Response {
        guard request.method == .get else { return Self.methodNotAllowed(allow: "GET") }
        guard configuration.webSocketEnabled else { return Self.plain(.notFound, "Not found.") }
        guard originAllowed(request) else { return Self.plain(.forbidden, "Origin not allowed.") }
        guard request.headers[.upgrade]?.lowercased() == "websocket" else {
            return Self.plain(.badRequest, "Can \"Upgrade\" only to \"WebSocket\".")
        }
        let connection = request.headers[values: .connection].flatMap { $0.split(separator: ",") }
        guard connection.contains(where: { $0.trimmingCharacters(in: .whitespaces).lowercased() == "upgrade" }) else {
            return Self.plain(.badRequest, "\"Connection\" must be \"Upgrade\".")
        }
        return try await upgrade.handle(request, context: context) { _, _ in Response(status: .ok) }
    }

    /// Serves one WebSocket connection as one session: SockJS framing (`o`, `h`, `a[...]`,
    /// `c[...]`) on `/<server>/<session>/websocket`, plain messages on `/websocket`.
    func serveWebSocket(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, request: Request, raw: Bool
    ) async {
        let parts = request.uri.path.split(separator: "/")
        let id = raw || parts.count < 2 ? "websocket" : String(parts[parts.count - 2])
        let session = SockJSSession(
            id: id, transport: raw ? .rawWebSocket : .websocket, requestHeaders: request.headers,
            configuration: configuration)
        guard case .attached(let receiver) = session.attachReceiver() else {
            preconditionFailure("a new WebSocket session already had a receiver")
        }
        let heartbeat = configuration.heartbeatInterval
        let maxPayloadBytes = configuration.maxPayloadBytes
        let logger = self.logger
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await runHandler(session) }
            group.addTask {
                await withGracefulShutdownHandler {
                    await withTaskGroup(of: Void.self) { io in
                        io.addTask {
                            await Self.writeFrames(
                                of: session, receiver: receiver, to: outbound, heartbeat: heartbeat, raw: raw)
                        }
                        io.addTask {
                            await Self.readMessages(
                                into: session, from: inbound, closing: outbound, maxSize: maxPayloadBytes, raw: raw,
                                logger: logger)
                        }
                        await io.next()
                        io.cancelAll()
                    }
                } onGracefulShutdown: {
                    session.close(code: 1001, reason: "Server shutting down")
                }
                // The connection is gone (or done): the session ends with it.
                session.abortReceiver(receiver)
            }
        }
    }

    private static func writeFrames(
        of session: SockJSSession, receiver: SessionStateMachine.ReceiverID, to outbound: WebSocketOutboundWriter,
        heartbeat: Duration, raw: Bool
    ) async {
        do {
            while let frame = await session.nextFrame(for: receiver, heartbeat: heartbeat) {
                switch (frame, raw) {
                case (.close(let code, let reason), true):
                    try await outbound.close(WebSocketErrorCode(codeNumber: code), reason: reason)
                    return
                case (.close, false):
                    try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: frame.encoded)))
                    try await outbound.close(.normalClosure, reason: nil)
                    return
                case (.messages(let messages), true):
                    for message in messages {
                        // WebSocket text must be valid UTF-8: lone surrogates become U+FFFD.
                        try await outbound.write(.text(String(decoding: message.readableBytesView, as: UTF8.self)))
                    }
                case (.open, true), (.heartbeat, true):
                    continue
                case (_, false):
                    try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: frame.encoded)))
                }
            }
        } catch {
            // The peer is gone; the reader notices too.
        }
    }

    /// Reads the client's messages into the session until the connection ends.
    ///
    /// A message that breaks RFC 6455 (invalid UTF-8 in text, bad fragmentation, too large)
    /// closes the WebSocket with the RFC's code (1007, 1002, 1009) and a short reason, whichever
    /// SockJS framing rides on it: the fault is in the WebSocket layer, below the session.
    private static func readMessages(
        into session: SockJSSession, from inbound: WebSocketInboundStream, closing outbound: WebSocketOutboundWriter,
        maxSize: Int, raw: Bool, logger: Logger
    ) async {
        do {
            for try await message in inbound.checkedMessages(maxSize: maxSize) {
                guard case .text(let text) = message else { continue }
                if raw {
                    await session.deliver([text])
                    continue
                }
                // Empty frames and `[]` carry no messages and are ignored.
                if text.readableBytes == 0 { continue }
                let payloads: [ByteBuffer]
                do {
                    payloads = try InboundPayloadDecoder.decode(Array(text.readableBytesView))
                } catch {
                    // The spec: broken JSON terminates the connection abruptly.
                    logger.debug("SockJS websocket sent broken JSON; closing", metadata: ["session": "\(session.id)"])
                    return
                }
                await session.deliver(payloads)
            }
        } catch let violation as WebSocketMessageAssembler.Violation {
            logger.debug(
                "SockJS websocket broke the protocol; closing",
                metadata: ["session": "\(session.id)", "code": "\(violation.code)", "reason": "\(violation.reason)"])
            // Awaited here, before the reader returns and the writer is cancelled, so the close
            // frame is on the wire before the connection ends.
            try? await outbound.close(violation.code, reason: violation.reason)
        } catch {
            logger.debug("SockJS websocket read ended", metadata: ["error": "\(error)"])
        }
    }
}
