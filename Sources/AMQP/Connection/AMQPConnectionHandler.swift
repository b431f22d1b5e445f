import Logging
import NIOCore

/// The one NIO handler of an AMQP connection: decodes frames, runs the connection and channel
/// state machines, and performs the actions they return.
///
/// It holds no protocol logic of its own (that lives in `ConnectionStateMachine` and
/// `ChannelStateMachine`); it owns the I/O: the decoder, the encoder with the negotiated
/// frame_max, the heartbeat timer and the promises of the async façade.
final class AMQPConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = HandlerCommand
    typealias OutboundOut = ByteBuffer

    /// Callbacks into the owning `AMQPConnection`, invoked on the event loop.
    struct Callbacks: Sendable {
        var blocked: @Sendable (_ reason: String?) -> Void
        var returned: @Sendable (_ channel: UInt16, _ message: AMQPReturnedMessage) -> Void
        var channelClosed: @Sendable (_ channel: UInt16, _ error: AMQPError) -> Void
    }

    /// What the handshake produced.
    struct Established: Sendable {
        var tuning: ConnectionStateMachine.Tuning
        var serverProperties: AMQPTable
    }

    let generation: UInt64
    let establishedPromise: EventLoopPromise<Established>
    /// Completes when the socket closed: `nil` for a close the application asked for.
    let closedPromise: EventLoopPromise<AMQPError?>

    private var connection: ConnectionStateMachine
    private var channels: [UInt16: ChannelStateMachine] = [:]
    private var decoder: NIOSingleStepByteToMessageProcessor<AMQPFrameDecoder>
    private var encoder = AMQPFrameEncoder()
    private var heartbeatTask: RepeatedTask?
    private var terminalError: AMQPError?
    private var closePromises: [EventLoopPromise<Void>] = []
    /// Frames encoded but not yet handed to the channel: everything written while performing a
    /// batch of commands or while handling one read batch leaves in one write and one flush.
    private var outbound: ByteBuffer?
    /// Deliveries of the current read batch, handed to their consumers in channelReadComplete
    /// (one wake-up of a waiting consumer per batch instead of one per message).
    private var pendingDeliveries: [(sink: any ConsumerSink, message: InboundMessage)] = []
    /// Whether bytes were written since the last flush.
    private var unflushed = false
    private var writingCommand = false
    private var reading = false
    private var isTornDown = false
    private var context: ChannelHandlerContext?
    private let callbacks: Callbacks
    private let logger: Logger

    init(
        parameters: ConnectionStateMachine.Parameters,
        generation: UInt64,
        eventLoop: any EventLoop,
        callbacks: Callbacks,
        logger: Logger
    ) {
        self.connection = ConnectionStateMachine(parameters: parameters)
        self.generation = generation
        self.decoder = NIOSingleStepByteToMessageProcessor(AMQPFrameDecoder(maximumFrameSize: parameters.frameMax))
        self.establishedPromise = eventLoop.makePromise()
        self.closedPromise = eventLoop.makePromise()
        self.callbacks = callbacks
        self.logger = logger
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive {
            self.run(self.connection.connected(now: .now()), context: context)
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.run(self.connection.connected(now: .now()), context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.tearDown()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // A socket that never became active (refused connect) is removed without
        // channelInactive: complete the promises anyway so no caller waits forever.
        self.tearDown()
        self.context = nil
    }

    /// Fails or completes everything pending, once, when the socket is gone.
    private func tearDown() {
        guard !self.isTornDown else { return }
        self.isTornDown = true
        self.deliverPending()
        self.outbound = nil
        self.connection.socketClosed()
        self.heartbeatTask?.cancel()
        self.heartbeatTask = nil
        let cleanClose = self.terminalError == nil && !self.closePromises.isEmpty
        let error =
            self.terminalError
            ?? (cleanClose
                ? AMQPError(code: .connectionClosed, message: "the connection was closed by the application")
                : AMQPError(
                    code: .connectionLost, message: "the socket closed without an AMQP close handshake",
                    closedConnection: true))
        self.establishedPromise.fail(error)
        let confirmError = AMQPError(
            code: .connectionLost,
            message: "connection lost before the broker confirmed the publish: \(error.message)",
            closedConnection: true,
            underlying: error
        )
        for (_, var channel) in self.channels {
            let teardown = channel.connectionClosed(error: error)
            self.complete(
                teardown, confirmError: confirmError, consumerError: cleanClose ? nil : error,
                connectionLost: !cleanClose)
        }
        self.channels.removeAll()
        for promise in self.closePromises {
            promise.succeed()
        }
        self.closePromises.removeAll()
        self.closedPromise.succeed(cleanClose ? nil : error)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.logger.debug("AMQP connection error", metadata: ["error": "\(error)"])
        if self.terminalError == nil {
            self.terminalError = AMQPError(
                code: .connectionLost,
                message: "socket error: \(error)",
                closedConnection: true,
                underlying: error
            )
        }
        context.close(promise: nil)
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = self.unwrapInboundIn(data)
        self.reading = true
        // One clock read per socket read, not per frame (heartbeat bookkeeping only).
        self.connection.frameReceived(now: .now())
        do {
            try self.decoder.process(buffer: buffer) { frame in
                self.frameReceived(frame, context: context)
            }
        } catch let error as AMQPError {
            self.logger.debug("AMQP protocol error", metadata: ["error": "\(error)"])
            self.run(self.connection.protocolErrorOccurred(error), context: context)
        } catch {
            self.run(
                self.connection.protocolErrorOccurred(
                    AMQPError(code: .internalError, message: "\(error)", closedConnection: true)),
                context: context
            )
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.reading = false
        self.deliverPending()
        self.flushOutbound(context: context)
        context.fireChannelReadComplete()
    }

    private func frameReceived(_ frame: AMQPFrame, context: ChannelHandlerContext) {
        if frame.channel == 0 {
            switch frame.payload {
            case .heartbeat:
                return
            case .method(.connection(let method)):
                self.run(self.connection.methodReceived(method), context: context)
            default:
                self.run(
                    self.connection.protocolErrorOccurred(
                        AMQPError(
                            code: .commandInvalid, message: "non-connection frame on channel 0", closedConnection: true)
                    ),
                    context: context
                )
            }
            return
        }
        guard self.connection.isOpen else { return }  // discarded while closing
        // One hash lookup per frame; the optional-chained mutation runs on the dictionary's
        // storage in place, so the state machine stays uniquely referenced (no copy-on-write).
        let action: ChannelStateMachine.Action? =
            switch frame.payload {
            case .method(let method): self.channels[frame.channel]?.methodReceived(method)
            case .header(let header): self.channels[frame.channel]?.headerReceived(header)
            case .body(let body): self.channels[frame.channel]?.bodyReceived(body)
            case .heartbeat: ChannelStateMachine.Action.none
            }
        guard let action else {
            self.run(
                self.connection.protocolErrorOccurred(
                    AMQPError(
                        code: .channelError, message: "frame for unknown channel \(frame.channel)",
                        closedConnection: true)
                ),
                context: context
            )
            return
        }
        self.run(action, channel: frame.channel, context: context)
    }

    // MARK: Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let command = self.unwrapOutboundIn(data)
        promise?.succeed()
        // Bytes for commands wait for the caller's flush, so a burst of publishes enqueued in
        // one event-loop tick leaves in one syscall.
        let wasWriting = self.writingCommand  // a promise callback may write while we perform
        self.writingCommand = true
        defer { self.writingCommand = wasWriting }
        self.handle(command, context: context)
    }

    func flush(context: ChannelHandlerContext) {
        self.flushOutbound(context: context, force: true)
    }

    /// Performs a batch of commands from the façade, in order, with one write and one flush.
    ///
    /// `AMQPConnection` calls this directly on the event loop (no pipeline traversal, no
    /// per-command promise). When the handler is already gone, the commands fail as if the
    /// connection was lost.
    func perform(_ commands: [HandlerCommand]) {
        guard let context = self.context, !self.isTornDown else {
            let error = AMQPError(
                code: .connectionLost,
                message: "the connection is gone: \(self.terminalError?.message ?? "socket closed")",
                closedConnection: true,
                underlying: self.terminalError
            )
            for command in commands { command.fail(error) }
            return
        }
        let wasWriting = self.writingCommand
        self.writingCommand = true
        for command in commands {
            self.handle(command, context: context)
        }
        self.writingCommand = wasWriting
        if !wasWriting {
            self.flushOutbound(context: context)
        }
    }

    private func handle(_ command: HandlerCommand, context: ChannelHandlerContext) {
        if case .closeConnection(let closePromise) = command {
            self.closePromises.append(closePromise)
            self.run(self.connection.closeRequested(), context: context)
            return
        }
        guard self.connection.isOpen else {
            command.fail(
                self.terminalError ?? AMQPError(code: .connectionClosed, message: "the connection is not open"))
            return
        }
        switch command {
        case .openChannel(let id, let openPromise):
            guard self.channels[id] == nil else {
                openPromise.fail(AMQPError(code: .channelError, message: "channel \(id) is already open"))
                return
            }
            self.channels[id] = ChannelStateMachine(id: id, openPromise: openPromise)
            self.sendMethod(.channel(.open(.init())), channel: id, context: context)

        case .call(let id, let method, let callPromise):
            guard
                self.withChannel(
                    id, failing: { callPromise.fail($0) }, { $0.callSent(.method(callPromise), method: method) })
            else { return }
            self.sendMethod(method, channel: id, context: context)

        case .consume(let id, let consume, let sink, let callPromise):
            let method = AMQPMethod.basic(.consume(consume))
            guard
                self.withChannel(
                    id, failing: { callPromise.fail($0) }, { $0.callSent(.consume(sink, callPromise), method: method) })
            else { return }
            self.sendMethod(method, channel: id, context: context)

        case .publish(let id, let publish, let properties, let body, let confirm):
            guard self.channels[id]?.isOpen == true else {
                confirm.fail(AMQPError(code: .channelClosed, message: "channel \(id) is closed"))
                return
            }
            var buffer = self.takeOutbound(context: context, minimumWritableBytes: body.readableBytes + 256)
            let mark = buffer.writerIndex
            do {
                try self.encoder.encodeContent(
                    channel: id, method: .basic(.publish(publish)), properties: properties, body: body, into: &buffer)
            } catch {
                // Only an over-long short string gets here (the façade validates names first);
                // nothing was counted by the confirm tracker yet.
                buffer.moveWriterIndex(to: mark)
                self.outbound = buffer
                confirm.fail(error)
                return
            }
            self.outbound = buffer
            let inConfirmMode = self.channels[id]!.publishSent(confirm: confirm)
            // Outside confirm mode the "confirm" is the completed write; in confirm mode the
            // broker's ack completes it (and a failed write tears the channel down anyway).
            self.framesQueued(context: context, promise: inConfirmMode ? nil : confirm)

        case .send(let id, let method, let generation, let sendPromise):
            if let generation, generation != self.generation {
                let error = AMQPError(
                    code: .connectionLost,
                    message: "the delivery came from a connection that was lost; the broker redelivers it"
                )
                self.logger.debug("AMQP settle dropped", metadata: ["method": "\(method.name)", "error": "\(error)"])
                sendPromise?.fail(error)
                return
            }
            guard self.channels[id]?.isOpen == true else {
                let error = AMQPError(code: .channelClosed, message: "channel \(id) is closed")
                self.logger.debug("AMQP settle dropped", metadata: ["method": "\(method.name)", "error": "\(error)"])
                sendPromise?.fail(error)
                return
            }
            self.sendMethod(method, channel: id, context: context, promise: sendPromise)

        case .closeChannel(let id, let closePromise):
            guard var channel = self.channels.removeValue(forKey: id) else {
                closePromise.succeed()
                return
            }
            let action = channel.closeRequested(promise: closePromise)
            self.channels[id] = channel
            self.run(action, channel: id, context: context)

        case .closeConnection:
            preconditionFailure("handled above")
        }
    }

    /// Applies `body` to channel `id`'s state machine, or fails the command when it is closed.
    private func withChannel(
        _ id: UInt16,
        failing: (AMQPError) -> Void,
        _ body: (inout ChannelStateMachine) -> Void
    ) -> Bool {
        guard var channel = self.channels.removeValue(forKey: id), channel.isOpen else {
            failing(AMQPError(code: .channelClosed, message: "channel \(id) is closed"))
            return false
        }
        body(&channel)
        self.channels[id] = channel
        return true
    }

    // MARK: Actions

    private func run(_ action: ConnectionStateMachine.Action, context: ChannelHandlerContext) {
        switch action {
        case .none:
            break
        case .sendProtocolHeader:
            var buffer = context.channel.allocator.buffer(capacity: 8)
            buffer.writeBytes(AMQPFrameEncoder.protocolHeader)
            self.writeBytes(buffer, context: context)
        case .send(let method):
            self.sendMethod(method, channel: 0, context: context)
        case .tuned(let tuning, let tuneOk, let open):
            self.encoder.frameMax = tuning.frameMax
            self.sendMethod(tuneOk, channel: 0, context: context)
            self.sendMethod(open, channel: 0, context: context)
            if tuning.heartbeat > 0 {
                let period = TimeAmount.milliseconds(max(250, Int64(tuning.heartbeat) * 1000 / 4))
                let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
                self.heartbeatTask = context.eventLoop.scheduleRepeatedTask(initialDelay: period, delay: period) { _ in
                    let handler = handler.value
                    guard let context = handler.context else { return }
                    handler.run(handler.connection.heartbeatTimerFired(now: .now()), context: context)
                }
            }
        case .established(let tuning, let serverProperties):
            self.establishedPromise.succeed(Established(tuning: tuning, serverProperties: serverProperties))
        case .blocked(let reason):
            self.callbacks.blocked(reason)
        case .unblocked:
            self.callbacks.blocked(nil)
        case .sendHeartbeat:
            var buffer = context.channel.allocator.buffer(capacity: 8)
            buffer.writeBytes([AMQPConstants.frameHeartbeat, 0, 0, 0, 0, 0, 0, AMQPConstants.frameEnd])
            self.writeBytes(buffer, context: context)
        case .replyCloseOkAndClose(let error):
            self.logger.info("broker closed the AMQP connection", metadata: ["error": "\(error)"])
            self.terminalError = error
            self.sendMethod(.connection(.closeOk(.init())), channel: 0, context: context)
            self.flushOutbound(context: context)
            context.close(promise: nil)
        case .sendCloseAndClose(let method, let error):
            self.terminalError = error
            self.sendMethod(method, channel: 0, context: context)
            self.flushOutbound(context: context)
            context.close(promise: nil)
        case .closeSocket:
            context.close(promise: nil)
        case .fail(let error):
            self.logger.info("AMQP connection failed", metadata: ["error": "\(error)"])
            self.terminalError = error
            context.close(promise: nil)
        }
    }

    private func run(_ action: ChannelStateMachine.Action, channel id: UInt16, context: ChannelHandlerContext) {
        switch action {
        case .none, .deliver:
            break
        default:
            // Anything that may finish a consumer or complete a call comes after the deliveries
            // that preceded it on the wire.
            self.deliverPending()
        }
        switch action {
        case .none:
            break
        case .succeedOpen(let promise):
            promise.succeed()
        case .succeedCall(let promise, var response):
            response.generation = self.generation
            promise.succeed(response)
        case .deliver(let sink, let message):
            if self.reading {
                self.pendingDeliveries.append((sink, message))
            } else {
                sink.deliver(message, generation: self.generation)
            }
        case .returned(let message):
            self.callbacks.returned(id, message)
        case .succeedConfirms(let promises):
            for promise in promises { promise.succeed() }
        case .failConfirms(let promises, let error):
            for promise in promises { promise.fail(error) }
        case .consumerCancelled(let sink, let error, let reply):
            if let reply { self.sendMethod(reply, channel: id, context: context) }
            sink.finish(error: error)
        case .consumerEnded(let sink, let promise, let response):
            sink.finish(error: nil)
            promise.succeed(response)
        case .send(let method):
            self.sendMethod(method, channel: id, context: context)
        case .closed(let teardown, let replyCloseOk):
            self.channels[id] = nil
            if replyCloseOk {
                self.sendMethod(.channel(.closeOk(.init())), channel: id, context: context)
                self.logger.debug(
                    "broker closed AMQP channel", metadata: ["channel": "\(id)", "error": "\(teardown.error)"])
                self.callbacks.channelClosed(id, teardown.error)
            }
            let confirmError = AMQPError(
                code: .channelClosed,
                message: "channel closed before the broker confirmed the publish: \(teardown.error.message)",
                underlying: teardown.error
            )
            self.complete(
                teardown, confirmError: confirmError, consumerError: replyCloseOk ? teardown.error : nil,
                connectionLost: false)
        case .connectionError(let error):
            self.run(self.connection.protocolErrorOccurred(error), context: context)
        }
    }

    private func complete(
        _ teardown: ChannelStateMachine.Teardown,
        confirmError: AMQPError,
        consumerError: AMQPError?,
        connectionLost: Bool
    ) {
        teardown.closePromise?.succeed()
        teardown.openPromise?.fail(teardown.error)
        for call in teardown.calls {
            switch call {
            case .method(let promise): promise.fail(teardown.error)
            case .consume(_, let promise): promise.fail(teardown.error)
            }
        }
        for promise in teardown.confirms {
            promise.fail(confirmError)
        }
        for sink in teardown.consumers {
            if connectionLost {
                sink.connectionLost(teardown.error)
            } else {
                sink.finish(error: consumerError)
            }
        }
    }

    // MARK: Delivering

    /// Hands the deliveries of the current read batch to their consumers, in wire order.
    private func deliverPending() {
        guard !self.pendingDeliveries.isEmpty else { return }
        let deliveries = self.pendingDeliveries
        self.pendingDeliveries.removeAll(keepingCapacity: true)
        for (sink, message) in deliveries {
            sink.deliver(message, generation: self.generation)
        }
    }

    // MARK: Writing

    private func sendMethod(
        _ method: AMQPMethod,
        channel: UInt16,
        context: ChannelHandlerContext,
        promise: EventLoopPromise<Void>? = nil
    ) {
        var buffer = self.takeOutbound(context: context, minimumWritableBytes: 64)
        let mark = buffer.writerIndex
        do {
            try self.encoder.encode(AMQPFrame(channel: channel, payload: .method(method)), into: &buffer)
        } catch {
            buffer.moveWriterIndex(to: mark)
            self.outbound = buffer
            promise?.fail(error)
            return
        }
        self.outbound = buffer
        self.framesQueued(context: context, promise: promise)
    }

    private func writeBytes(_ bytes: ByteBuffer, context: ChannelHandlerContext, promise: EventLoopPromise<Void>? = nil)
    {
        var bytes = bytes
        var buffer = self.takeOutbound(context: context, minimumWritableBytes: bytes.readableBytes)
        buffer.writeBuffer(&bytes)
        self.outbound = buffer
        self.framesQueued(context: context, promise: promise)
    }

    /// The pending outbound buffer, moved out of `self.outbound` so appending to it does not
    /// copy (put it back after writing into it).
    private func takeOutbound(context: ChannelHandlerContext, minimumWritableBytes: Int) -> ByteBuffer {
        guard var buffer = self.outbound.take() else {
            return context.channel.allocator.buffer(capacity: max(minimumWritableBytes, 4096))
        }
        buffer.reserveCapacity(minimumWritableBytes: minimumWritableBytes)
        return buffer
    }

    /// Frames were appended to `outbound`. A write that needs a promise leaves now (with the
    /// frames before it); otherwise the bytes wait for the end of the command batch or read
    /// batch, except outside both (timers), where they leave at once.
    private func framesQueued(context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        if let promise, let buffer = self.outbound.take() {
            self.connection.frameSent(now: .now())
            context.write(self.wrapOutboundOut(buffer), promise: promise)
            self.unflushed = true
        }
        if !self.writingCommand && !self.reading {
            self.flushOutbound(context: context)
        }
    }

    /// Writes the pending frames, if any, and flushes what was written (or always, when a
    /// flush comes down the pipeline).
    private func flushOutbound(context: ChannelHandlerContext, force: Bool = false) {
        if let buffer = self.outbound.take(), buffer.readableBytes > 0 {
            self.connection.frameSent(now: .now())
            context.write(self.wrapOutboundOut(buffer), promise: nil)
            self.unflushed = true
        }
        if self.unflushed || force {
            self.unflushed = false
            context.flush()
        }
    }
}

@available(*, unavailable)
extension AMQPConnectionHandler: Sendable {}
