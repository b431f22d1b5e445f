import NIOCore
import NIOHTTP1
import NIOWebSocket

/// Restores two HTTP/1 behaviours that Hummingbird's version-less HTTP types lose, both of which
/// SockJS clients and the SockJS spec rely on.
///
/// - A connection's first request carrying an `Upgrade` header that is not a valid WebSocket
///   handshake (a POST, `Connection: close`, no key) is dropped by swift-nio's upgrade handler:
///   the client gets an empty reply. The header is stripped so the request is answered as plain
///   HTTP (the SockJS routes answer 400 or 405).
/// - Responses are always encoded as HTTP/1.1, so a streaming response to an HTTP/1.0 client is
///   chunked, which HTTP/1.0 forbids. Responses to HTTP/1.0 requests are sent as HTTP/1.0; one
///   without `Content-Length` is delimited by closing the connection.
///
/// It is also where WebSocket handshakes are refused: a `WebSocketHandshakeGate` sees each one
/// before swift-nio's upgrader, and a refusal is answered here with its status and a JSON body
/// (the upgrader itself can only answer an empty 400).
///
/// And it is where a `WebSocketTakeover` gets its connections: a handshake the takeover accepts is
/// answered here with the 101, and the HTTP handlers (and the upgrader, which never sees the
/// request) are replaced by a WebSocket frame decoder and the endpoint's own handler.
///
/// Sits right after the HTTP request decoder. After a WebSocket handshake it removes itself, so
/// WebSocket frames never reach it.
final class HTTP1CompatibilityHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private var isFirstRequest = true
    /// Version and keep-alive of requests not yet answered, oldest first (Hummingbird answers in
    /// order).
    private var pending = CircularBuffer<(version: HTTPVersion, keepAlive: Bool)>()
    private var closeAfterResponse = false
    /// Set once a handshake was refused: the rest of the request is dropped and the connection
    /// closes after the answer.
    private var refusedHandshake = false
    private let handshakeGate: WebSocketHandshakeGate?
    private let takeover: WebSocketTakeover?
    /// A handshake the takeover accepted: served when its `.end` arrives.
    private var takingOver: WebSocketTakeover.Acceptance?
    /// Removes the upgrader that the takeover bypasses.
    private let removeUpgrader: (ChannelPipeline.SynchronousOperations) throws -> Void
    /// Completed once the first request is classified (or the connection ends without one).
    private let firstRequest: EventLoopPromise<FirstRequestOutcome>?

    init(
        handshakeGate: WebSocketHandshakeGate? = nil, takeover: WebSocketTakeover? = nil,
        firstRequest: EventLoopPromise<FirstRequestOutcome>? = nil,
        removeUpgrader: @escaping (ChannelPipeline.SynchronousOperations) throws -> Void = { _ in }
    ) {
        self.handshakeGate = handshakeGate
        self.takeover = takeover
        self.firstRequest = firstRequest
        self.removeUpgrader = removeUpgrader
    }

    /// Whether `firstRequest` was completed (a promise completes once).
    private var firstRequestSettled = false

    private func settleFirstRequest(_ outcome: FirstRequestOutcome) {
        guard !firstRequestSettled else { return }
        firstRequestSettled = true
        firstRequest?.succeed(outcome)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        settleFirstRequest(.http)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refusedHandshake else { return }
        if let acceptance = takingOver {
            // The handshake's request ends here (a GET has no body); then the endpoint takes over.
            if case .end = unwrapInboundIn(data) { takeOver(acceptance, context: context) }
            return
        }
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        defer { isFirstRequest = false }
        if isFirstRequest, head.headers.contains(name: "upgrade") {
            if Self.isWebSocketHandshake(head) {
                if let refusal = handshakeGate?(head, context.channel.remoteAddress) {
                    refuse(head, with: refusal, context: context)
                    return
                }
                switch takeover?.decide(head, context.channel.remoteAddress) ?? .pass {
                case .pass:
                    break
                case .refuse(let refusal):
                    refuse(head, with: refusal, context: context)
                    return
                case .accept(let acceptance):
                    takingOver = acceptance
                    return
                }
                settleFirstRequest(.http)
                context.fireChannelRead(data)
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
                return
            }
            head.headers.remove(name: "upgrade")
        }
        settleFirstRequest(.http)
        pending.append((head.version, head.isKeepAlive))
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    /// Answers an accepted handshake with the 101 and hands the connection to the takeover's
    /// handlers: the HTTP encoder, decoder and upgrader leave the pipeline, a WebSocket frame
    /// decoder takes their place, and bytes the client sent after its request reach it.
    private func takeOver(_ acceptance: WebSocketTakeover.Acceptance, context: ChannelHandlerContext) {
        takingOver = nil
        var responseHeaders = HTTPHeaders([("connection", "upgrade"), ("upgrade", "websocket")])
        responseHeaders.add(contentsOf: acceptance.headers)
        let response = HTTPResponseHead(version: .http1_1, status: .switchingProtocols, headers: responseHeaders)
        context.writeAndFlush(wrapOutboundOut(.head(response)), promise: nil)
        do {
            let pipeline = context.pipeline.syncOperations
            let encoder = try pipeline.handler(type: HTTPResponseEncoder.self)
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(
                ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: acceptance.maxFrameSize)),
                position: .after(self))
            try acceptance.install(context.channel)
            try removeUpgrader(pipeline)
            pipeline.removeHandler(encoder, promise: nil)
            settleFirstRequest(.takenOver)
            pipeline.removeHandler(context: context, promise: nil)
            // Last: its leftover bytes (frames sent right behind the request) go to the frame decoder.
            pipeline.removeHandler(decoder, promise: nil)
        } catch {
            context.close(promise: nil)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var response):
            let request = pending.popFirst() ?? (.http1_1, true)
            guard request.version == .http1_0 else {
                context.write(data, promise: promise)
                return
            }
            response.version = .http1_0
            if request.keepAlive, response.headers.contains(name: "content-length") {
                response.headers.replaceOrAdd(name: "connection", value: "keep-alive")
            } else {
                response.headers.replaceOrAdd(name: "connection", value: "close")
                closeAfterResponse = true
            }
            context.write(wrapOutboundOut(.head(response)), promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            guard closeAfterResponse else {
                context.write(data, promise: promise)
                return
            }
            closeAfterResponse = false
            let written = promise ?? context.eventLoop.makePromise()
            context.writeAndFlush(data, promise: written)
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            written.futureResult.whenComplete { _ in loopBound.value.close(promise: nil) }
        }
    }

    /// Answers a refused handshake, then tells the upgrade handler behind that no request is
    /// coming: it closes the connection and ends the upgrade quietly (closing the channel
    /// directly would log the abandoned upgrade as an error).
    private func refuse(
        _ request: HTTPRequestHead, with refusal: WebSocketHandshakeRefusal, context: ChannelHandlerContext
    ) {
        refusedHandshake = true
        settleFirstRequest(.http)
        let body = refusal.body
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json; charset=utf-8")
        headers.add(name: "content-length", value: "\(body.readableBytes)")
        headers.add(name: "connection", value: "close")
        headers.add(name: "cache-control", value: "no-store")
        headers.add(name: "x-content-type-options", value: "nosniff")
        let head = HTTPResponseHead(version: request.version, status: refusal.status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        written.futureResult.whenComplete { _ in
            loopBound.value.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        }
    }

    /// The checks swift-nio's WebSocket upgrader makes before any application code runs.
    static func isWebSocketHandshake(_ head: HTTPRequestHead) -> Bool {
        let connection = head.headers[canonicalForm: "connection"].map { $0.lowercased() }
        let upgrade = head.headers[canonicalForm: "upgrade"].map { $0.lowercased() }
        return head.method == .GET && connection.contains("upgrade") && upgrade.contains("websocket")
            && head.headers.first(name: "sec-websocket-key") != nil
            && head.headers.first(name: "sec-websocket-version") == "13"
    }
}

@available(*, unavailable)
extension HTTP1CompatibilityHandler: Sendable {}
