import ChatCore
import CoreMetrics
import Logging
import NIOCore
import NIOWebSocket
import RFC6455
import SockJS
import Synchronization

/// One WebSocket chat session as a plain NIO channel handler, with no task per connection: `/ws`,
/// and SockJS's WebSocket transports (`Framing`).
///
/// Inbound, it collates frames into messages (`WebSocketMessageAssembler`: UTF-8 and
/// fragmentation checks, 1007/1002) and hands them to the `Hub` in order, one batch in flight at
/// a time; when more than `maxQueuedInbound` messages wait it stops reading the socket, so a fast
/// sender is slowed by TCP instead of growing a queue. If the hub then handles none of them for
/// `stalledHubProbeInterval` (a send stuck on a hung broker or store), it reads the socket anyway
/// so that a close frame (or a ping) behind them is still answered within a second; a data frame
/// read then has no room and closes the connection with 1013 (try again later). Outbound, it is the session's
/// `SessionSink`: the hub's fan-out hands it complete WebSocket frames on this channel's loop
/// (`WebSocketSink`), written straight to the socket while it is writable and otherwise queued in
/// a bounded `WebSocketOutbox` (ephemeral frames dropped first, then 1013). The close handshake
/// and the keepalive ping follow `WebSocketConnectionStateMachine`.
///
/// SockJS's WebSocket differs only in framing: `o` first, an `h` heartbeat, messages inside
/// `a[...]` (built once per event by the fan-out, like `/ws`'s frames), inbound arrays of
/// strings, and a close decided by the session (the hub, an overflow, an oversize frame) sent as
/// `c[code,"reason"]` before the WebSocket close. A fault of the WebSocket layer itself (1007,
/// 1002, an oversize WebSocket message) closes at that layer, with the RFC's code.
final class ChatWebSocketHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// How chat frames ride on the WebSocket.
    enum Framing: Sendable {
        /// `/ws`: each protocol v1 frame is one text message.
        case native
        /// SockJS's `/<server>/<session>/websocket`: `o`, `h` every `heartbeat`, `a[...]`,
        /// `c[code,"reason"]`; the client sends JSON arrays of strings.
        case sockJS(heartbeat: TimeAmount)
        /// SockJS's raw `/websocket`: plain text messages, like `/ws`; binary ones are ignored.
        case sockJSRaw
    }

    /// What every connection of the endpoint shares.
    struct Configuration: Sendable {
        var hub: Hub
        var framing: Framing = .native
        /// Largest protocol v1 frame (`ChatLimits.maxFrameBytes`).
        var maxFrameBytes: Int
        /// Largest WebSocket message; for SockJS larger than `maxFrameBytes`, since a frame
        /// travels JSON-escaped inside an array.
        var maxMessageBytes: Int
        var outbox: SessionOutbox.Configuration
        /// Keepalive ping period; a ping still unanswered one period later closes with 1001.
        var pingInterval: TimeAmount
        /// How long the client has to answer our close frame (and to read the frames before it)
        /// before the connection is dropped.
        var closeTimeout: TimeAmount
        /// The per-address count this connection holds a slot of (`/ws`), released when it ends.
        var connectionsPerAddress: ConnectionsPerAddress?
        var logger: Logger
    }

    /// Messages waiting for the hub beyond which the socket is not read.
    static let maxQueuedInbound = 64

    /// How long reading may stay paused while the hub handles none of the waiting messages
    /// before the socket is read anyway, for control frames: well under the second within which
    /// a close frame must be answered.
    static let stalledHubProbeInterval: TimeAmount = .milliseconds(400)

    private enum Inbound {
        /// A chat frame and when its message was read off the socket: the hub counts the
        /// request's deadline from there, not from when the frame's turn came.
        case text(ByteBuffer, receivedAt: ContinuousClock.Instant)
        case binary
        /// The client broke RFC 6455 (or, `sessionLevel`, sent a chat frame over the limit inside
        /// a SockJS array): close with this code once the hub has answered the messages read
        /// before, so their answers reach the client ahead of the close.
        case violation(code: UInt16, reason: String, sessionLevel: Bool)
    }

    /// `h`, SockJS's heartbeat, as a complete WebSocket frame.
    private static let sockJSHeartbeat = WebSocketServerFrame.text(ByteBuffer(string: "h"))
    /// `o`, SockJS's open frame, as a complete WebSocket frame.
    private static let sockJSOpen = WebSocketServerFrame.text(ByteBuffer(string: "o"))

    private let configuration: Configuration
    private let address: String
    private var connection = WebSocketConnectionStateMachine()
    private var outbox: WebSocketOutbox
    private var assembler: WebSocketMessageAssembler
    private var context: ChannelHandlerContext?
    private var sink: WebSocketSink?
    private var sessionID: SessionID?
    /// Messages read and not yet handed to the hub, in order. It starts at one element, not
    /// `CircularBuffer`'s sixteen: an idle socket holds none, and sixteen cost each ~0.8 KiB.
    private var inbound = CircularBuffer<Inbound>(initialCapacity: 1)
    /// Whether a task is handing messages to the hub (at most one, to keep their order).
    private var inboundInFlight = false
    /// A `read` held back while too many messages wait.
    private var readPending = false
    /// Counts the messages the hub finished, from the task handing them over; the stalled-hub
    /// probe compares it with `progressSeen`.
    private let progress = InboundProgress()
    /// `progress` when the probe last looked.
    private var progressSeen = 0
    /// Checks, while reading is paused, whether the hub still makes progress.
    private var stalledHubProbe: Scheduled<Void>?
    /// Set while the socket is read although too many messages wait (the hub is stalled): only
    /// control frames fit; a data frame closes the connection.
    private var readingPastLimit = false
    /// Whether `flush` has writes to push.
    private var needsFlush = false
    /// Whether the loop's `FlushCoalescer` will flush this socket.
    private var flushPending = false
    /// This channel's loop's flush coalescer.
    private var coalescer: FlushCoalescer?
    private var keepalive: RepeatedTask?
    private var heartbeat: RepeatedTask?
    /// Whether the close under way was decided by the session (SockJS sends it as `c[...]`).
    private var sessionLevelClose = false
    private var closeTimeout: Scheduled<Void>?
    private var disconnected = false
    /// Set by a protocol violation: later data frames are ignored.
    private var violated = false

    init(configuration: Configuration, address: String) {
        self.configuration = configuration
        self.address = address
        self.outbox = WebSocketOutbox(
            configuration: .init(maxFrames: configuration.outbox.maxFrames, maxBytes: configuration.outbox.maxBytes))
        self.assembler = WebSocketMessageAssembler(maxSize: configuration.maxMessageBytes)
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        coalescer = FlushCoalescer.of(context.eventLoop)
        let wireEncoding: WireEncoding =
            switch configuration.framing {
            case .native, .sockJSRaw: .webSocketText
            case .sockJS: .sockJSWebSocket
            }
        let sink = WebSocketSink(
            handler: NIOLoopBound(self, eventLoop: context.eventLoop), eventLoop: context.eventLoop,
            wireEncoding: wireEncoding)
        self.sink = sink
        connectionsGauge.increment()
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        if case .sockJS(let interval) = configuration.framing {
            // After the takeover has removed the HTTP handlers, which cannot carry WebSocket
            // bytes; before any frame of the hub, whose hops are queued after this one.
            context.eventLoop.execute { loopBound.value.writeSockJSOpen() }
            heartbeat = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
                loopBound.value.deliver(Self.sockJSHeartbeat, ephemeral: true)
                loopBound.value.flush()
            }
        }
        let hub = configuration.hub
        Task {
            let id = await hub.connect(sink: sink)
            loopBound.eventLoop.execute { loopBound.value.registered(id) }
        }
        keepalive = context.eventLoop.scheduleRepeatedTask(
            initialDelay: configuration.pingInterval, delay: configuration.pingInterval
        ) { _ in
            loopBound.value.keepaliveTimerFired()
        }
    }

    /// The gauge of this connection's transport in `/metrics`.
    private var connectionsGauge: Meter {
        switch configuration.framing {
        case .native: configuration.hub.metrics.webSocketConnections
        case .sockJS, .sockJSRaw: configuration.hub.metrics.sockJSConnections
        }
    }

    private func writeSockJSOpen() {
        guard connection.acceptsFrames, context != nil else { return }
        writeNow(Self.sockJSOpen)
        flushImmediately()
    }

    /// Logs at debug level with the session's id. The id goes into each call's metadata, not
    /// into a logger of the connection's own: that copy, with its metadata dictionary, cost
    /// every idle socket about half a KiB. Nothing is built unless debug logging is on.
    private func debug(
        _ message: @autoclosure () -> Logger.Message, _ metadata: @autoclosure () -> Logger.Metadata = [:]
    ) {
        configuration.logger.debug(
            message(),
            metadata: {
                var all = metadata()
                if let sessionID { all["session"] = "\(sessionID)" }
                return all
            }())
    }

    private func registered(_ id: SessionID) {
        sessionID = id
        debug("websocket connected")
        pumpInbound()
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.channelClosed()
        ended()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        ended()
        self.context = nil
    }

    /// Releases what the connection held, once; the hub forgets the session after the messages
    /// already read.
    private func ended() {
        guard !disconnected else { return }
        disconnected = true
        keepalive?.cancel()
        heartbeat?.cancel()
        closeTimeout?.cancel()
        stalledHubProbe?.cancel()
        configuration.connectionsPerAddress?.release(address)
        connectionsGauge.decrement()
        pumpInbound()
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if frame.maskKey == nil {
            return closeFor(code: .protocolError, reason: "client frames must be masked")
        }
        switch frame.opcode {
        case .text, .binary, .continuation:
            guard connection.acceptsFrames, !violated else { return }
            if readingPastLimit {
                // Read only to see control frames: a message has no room while the hub is stuck.
                violated = true
                return closeFor(
                    code: .tryAgainLater,
                    reason: "\(Self.maxQueuedInbound) messages wait for an answer: try again later")
            }
            let opcode: WebSocketMessageAssembler.Opcode =
                frame.opcode == .text ? .text : frame.opcode == .binary ? .binary : .continuation
            do {
                switch try assembler.receive(opcode: opcode, data: frame.unmaskedData, fin: frame.fin) {
                case .text(let bytes)?: received(text: bytes, at: .now, context: context)
                case .binary?: if case .native = configuration.framing { inbound.append(.binary) }
                case nil: return
                }
                pumpInbound()
            } catch {
                debug("websocket protocol violation; closing", ["code": "\(error.code)", "reason": "\(error.reason)"])
                violated = true
                inbound.append(
                    .violation(code: UInt16(webSocketErrorCode: error.code), reason: error.reason, sessionLevel: false))
                pumpInbound()
            }
        case .connectionClose:
            var payload = frame.unmaskedData
            let code = payload.readInteger(as: UInt16.self)
            run(connection.closeReceived(code: code))
        case .ping:
            if connection.pingReceived() == .sendPong {
                writeNow(WebSocketServerFrame.frame(.pong, payload: frame.unmaskedData))
                context.flush()
            }
        case .pong:
            connection.pongReceived()
        default:
            closeFor(code: .protocolError, reason: "unknown opcode")
        }
    }

    /// Queues the chat frames of one text message: the message itself, or for SockJS each string
    /// of its JSON array.
    private func received(text bytes: ByteBuffer, at arrival: ContinuousClock.Instant, context: ChannelHandlerContext) {
        var payloads = [bytes]
        if case .sockJS = configuration.framing {
            // An empty message and `[]` carry no frames.
            guard bytes.readableBytes > 0 else { return }
            do {
                payloads = try InboundPayloadDecoder.decode(bytes.readableBytesView)
            } catch {
                // The SockJS spec: broken JSON terminates the connection abruptly.
                debug("sockjs websocket sent broken JSON; closing")
                violated = true
                context.close(promise: nil)
                return
            }
        }
        for payload in payloads {
            // Bounded like a /ws frame (whose decoder already enforces it): the session closes with
            // 1009 after the frames before it.
            guard payload.readableBytes <= configuration.maxFrameBytes else {
                violated = true
                inbound.append(
                    .violation(
                        code: CloseCode.messageTooBig.rawValue,
                        reason: "frame exceeds \(configuration.maxFrameBytes) bytes",
                        sessionLevel: true))
                return
            }
            inbound.append(.text(payload, receivedAt: arrival))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // The frame decoder's verdicts (RFC 6455 §7.4.1); anything else is a failed socket.
        switch error as? NIOWebSocketError {
        case .invalidFrameLength?:
            closeFor(code: .messageTooBig, reason: "frame exceeds \(configuration.maxMessageBytes) bytes")
        case .fragmentedControlFrame?, .multiByteControlFrameLength?:
            closeFor(code: .protocolError, reason: "invalid control frame")
        default:
            debug("websocket failed", ["error": "\(error)"])
            context.close(promise: nil)
        }
    }

    /// Hands the waiting messages to the hub, one batch at a time, in order; after the client
    /// left, tells the hub once everything read was handled.
    private func pumpInbound() {
        guard !inboundInFlight, let id = sessionID, let eventLoop = context?.eventLoop ?? sink?.loop else { return }
        if case .violation(let code, let reason, let sessionLevel)? = inbound.first {
            inbound.removeAll()
            closeFor(code: code, reason: reason, sessionLevel: sessionLevel)
        }
        if inbound.isEmpty {
            if disconnected {
                debug("websocket closed")
                // Forgotten once: a second `pumpInbound` finds no session id.
                sessionID = nil
                let hub = configuration.hub
                Task { await hub.disconnect(id) }
            }
            return
        }
        var batch: [Inbound] = []
        while let next = inbound.first {
            if case .violation = next { break }
            batch.append(inbound.removeFirst())
        }
        inboundInFlight = true
        resumeReadingIfNeeded()
        let hub = configuration.hub
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        let progress = self.progress
        Task {
            for message in batch {
                switch message {
                case .text(let bytes, let receivedAt):
                    await hub.receive(bytes.readableBytesView, from: id, receivedAt: receivedAt)
                case .binary: await hub.refuseBinary(from: id)
                case .violation: preconditionFailure("a violation is never part of a batch")
                }
                progress.messageHandled()
            }
            eventLoop.execute {
                loopBound.value.inboundInFlight = false
                loopBound.value.pumpInbound()
            }
        }
    }

    func read(context: ChannelHandlerContext) {
        guard inbound.count < Self.maxQueuedInbound else {
            readPending = true
            armStalledHubProbe()
            return
        }
        context.read()
    }

    private func resumeReadingIfNeeded() {
        guard readPending, inbound.count < Self.maxQueuedInbound, let context else { return }
        readPending = false
        readingPastLimit = false
        stalledHubProbe?.cancel()
        stalledHubProbe = nil
        context.read()
    }

    /// While reading is paused, looks every `stalledHubProbeInterval` whether the hub finished a
    /// message; when it finished none, reads the socket once for control frames.
    private func armStalledHubProbe() {
        guard stalledHubProbe == nil, !disconnected, let context else { return }
        progressSeen = progress.handled
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        stalledHubProbe = context.eventLoop.scheduleTask(in: Self.stalledHubProbeInterval) {
            loopBound.value.stalledHubProbeFired()
        }
    }

    private func stalledHubProbeFired() {
        stalledHubProbe = nil
        guard readPending, let context else { return }
        if progress.handled != progressSeen {
            // Slow but moving: TCP keeps slowing the sender.
            armStalledHubProbe()
            return
        }
        readPending = false
        readingPastLimit = true
        context.read()
    }

    // MARK: Outbound (the session's sink)

    /// A frame from the hub, already a complete WebSocket frame.
    fileprivate func deliver(_ wire: ByteBuffer, ephemeral: Bool) {
        guard connection.acceptsFrames, let context else { return }
        switch outbox.enqueue(wire, ephemeral: ephemeral, writable: context.channel.isWritable) {
        case .write:
            writeNow(wire)
        case .queued, .dropped:
            break
        case .overflow:
            configuration.hub.metrics.slowConsumersDropped.increment()
            closeFor(
                code: .tryAgainLater, reason: "outbound queue overflow: the client reads too slowly", sessionLevel: true
            )
        }
    }

    /// Flushes after the fan-outs already queued on this loop (`FlushCoalescer`).
    fileprivate func flush() {
        guard needsFlush, !flushPending, let coalescer else { return }
        flushPending = true
        coalescer.flushSoon(self)
    }

    /// Flushes now: control frames and the writes before a close.
    private func flushImmediately() {
        guard needsFlush, let context else { return }
        needsFlush = false
        context.flush()
    }

    fileprivate func close(_ code: CloseCode, reason: String) {
        closeFor(code: code.rawValue, reason: reason, sessionLevel: true)
    }

    private func writeNow(_ bytes: ByteBuffer) {
        guard let context else { return }
        configuration.hub.metrics.framesOut.increment()
        context.write(wrapOutboundOut(bytes), promise: nil)
        needsFlush = true
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { drainOutbox() }
        context.fireChannelWritabilityChanged()
    }

    /// Writes queued frames while the socket takes them; after the last, a queued close.
    private func drainOutbox() {
        guard let context else { return }
        while context.channel.isWritable, let frame = outbox.next() {
            writeNow(frame)
        }
        if outbox.isEmpty { run(connection.queuedFramesWritten()) }
        flushImmediately()
    }

    // MARK: Closing

    private func closeFor(code: CloseCode, reason: String, sessionLevel: Bool = false) {
        closeFor(code: code.rawValue, reason: reason, sessionLevel: sessionLevel)
    }

    /// Closes after the frames already queued.
    ///
    /// - Parameter sessionLevel: whether the session decided it (the hub, an overflow, an
    ///   oversize chat frame) rather than the WebSocket layer; SockJS then sends `c[...]`.
    private func closeFor(code: UInt16, reason: String, sessionLevel: Bool) {
        if connection.acceptsFrames { sessionLevelClose = sessionLevel }
        outbox.close()
        sink?.markClosing()
        run(connection.closeRequested(code: code, reason: reason, framesQueued: !outbox.isEmpty))
    }

    private func keepaliveTimerFired() {
        run(connection.keepaliveTimerFired())
    }

    private func run(_ action: WebSocketConnectionStateMachine.Action) {
        if !connection.acceptsFrames { sink?.markClosing() }
        guard let context else { return }
        switch action {
        case .none, .sendPong:
            break
        case .waitForQueuedFrames:
            armCloseTimeout()
        case .sendClose(let code, let reason):
            if case .sockJS = configuration.framing, sessionLevelClose {
                // SockJS carries the session's close in its own frame; the WebSocket closes normally.
                writeNow(WebSocketServerFrame.text(SockJSFrame.close(code: Int(code), reason: reason).encoded))
                writeNow(WebSocketServerFrame.close(CloseCode.normal.rawValue, reason: ""))
            } else {
                writeNow(WebSocketServerFrame.close(code, reason: reason))
            }
            flushImmediately()
            armCloseTimeout()
        case .echoCloseAndCloseChannel(let code):
            configuration.hub.metrics.framesOut.increment()
            needsFlush = false
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(WebSocketServerFrame.close(code, reason: ""))).whenComplete { _ in
                loopBound.value.close(promise: nil)
            }
        case .closeChannel:
            context.close(promise: nil)
        case .sendPing:
            writeNow(WebSocketServerFrame.frame(.ping, payload: ByteBuffer()))
            flushImmediately()
        }
    }

    /// Drops a client that neither reads the frames before our close nor answers it.
    private func armCloseTimeout() {
        guard closeTimeout == nil, let context else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        closeTimeout = context.eventLoop.scheduleTask(in: configuration.closeTimeout) {
            loopBound.value.run(loopBound.value.connection.closeTimedOut())
        }
    }
}

extension ChatWebSocketHandler: FlushCoalescer.Flushable {
    func flushNow() {
        flushPending = false
        flushImmediately()
    }
}

@available(*, unavailable)
extension ChatWebSocketHandler: Sendable {}

/// The `SessionSink` of a `ChatWebSocketHandler`: the hub calls it from its fan-out, always on
/// the channel's loop (it names `eventLoop`), except `close` and `isClosing`, which hop or read a
/// flag.
final class WebSocketSink: SessionSink {
    private let handler: NIOLoopBound<ChatWebSocketHandler>
    let loop: any EventLoop
    /// Mirrors the handler's closing state for the hub, which reads it off the loop.
    private let closing = Atomic<Bool>(false)

    let wireEncoding: WireEncoding

    init(handler: NIOLoopBound<ChatWebSocketHandler>, eventLoop: any EventLoop, wireEncoding: WireEncoding) {
        self.handler = handler
        self.loop = eventLoop
        self.wireEncoding = wireEncoding
    }

    var eventLoop: (any EventLoop)? { loop }

    func deliver(_ wire: ByteBuffer, ephemeral: Bool) {
        handler.value.deliver(wire, ephemeral: ephemeral)
    }

    /// Called by the handler whenever it decides to close, so the hub stops admitting frames.
    func markClosing() {
        closing.store(true, ordering: .relaxed)
    }

    func flush() {
        handler.value.flush()
    }

    func close(_ code: CloseCode, reason: String) {
        closing.store(true, ordering: .relaxed)
        let handler = self.handler
        loop.execute { handler.value.close(code, reason: reason) }
    }

    var isClosing: Bool { closing.load(ordering: .relaxed) }
}
