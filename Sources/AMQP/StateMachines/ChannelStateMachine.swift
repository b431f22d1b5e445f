import NIOCore

/// One AMQP channel as a value type: open/close handshake, pipelined synchronous calls,
/// content reassembly, consumers and publisher confirms.
///
/// `AMQPConnectionHandler` keeps one per open channel number and feeds it every frame for that
/// channel; each `mutating` event returns actions for the handler to perform. Synchronous
/// methods may be pipelined because the broker answers them in order, so pending calls are a
/// FIFO queue. An impossible transition is a protocol violation reported as an action
/// (UNEXPECTED_FRAME), never a crash, because it is triggered by bytes from the network.
struct ChannelStateMachine {
    /// A call waiting for its synchronous reply.
    enum PendingCall {
        /// Any synchronous method; completed with the reply (and content, for basic.get-ok).
        case method(EventLoopPromise<ChannelResponse>)
        /// basic.consume: the sink starts receiving at consume-ok.
        case consume(any ConsumerSink, EventLoopPromise<ChannelResponse>)
    }

    enum State {
        case opening(EventLoopPromise<Void>)
        case open
        case closing(EventLoopPromise<Void>?)
        case closed
    }

    /// Content being reassembled from header and body frames.
    struct IncomingContent {
        enum Kind {
            case deliver(AMQPMethod.Basic.Deliver)
            case getOk(AMQPMethod.Basic.GetOk, EventLoopPromise<ChannelResponse>)
            case `return`(AMQPMethod.Basic.Return)
        }

        var kind: Kind
        var header: AMQPContentHeader?
        var body: ByteBuffer
    }

    /// Everything to complete or fail when the channel ends.
    struct Teardown {
        var error: AMQPError
        var closePromise: EventLoopPromise<Void>?
        var openPromise: EventLoopPromise<Void>?
        var calls: [PendingCall] = []
        var confirms: [EventLoopPromise<Void>] = []
        var consumers: [any ConsumerSink] = []
    }

    enum Action {
        case none
        case succeedOpen(EventLoopPromise<Void>)
        case succeedCall(EventLoopPromise<ChannelResponse>, ChannelResponse)
        case deliver(any ConsumerSink, InboundMessage)
        case returned(AMQPReturnedMessage)
        case succeedConfirms([EventLoopPromise<Void>])
        case failConfirms([EventLoopPromise<Void>], AMQPError)
        /// The broker cancelled a consumer; reply cancel-ok when `reply` is set.
        case consumerCancelled(any ConsumerSink, AMQPError, reply: AMQPMethod?)
        /// Our basic.cancel completed: finish the consumer's stream without error.
        case consumerEnded(any ConsumerSink, EventLoopPromise<ChannelResponse>, ChannelResponse)
        case send(AMQPMethod)
        /// The channel is gone (broker close, our close acknowledged): reply close-ok to the
        /// broker when `replyCloseOk`, then complete/fail everything in the teardown.
        case closed(Teardown, replyCloseOk: Bool)
        /// The broker broke the protocol on this channel: close the connection.
        case connectionError(AMQPError)
    }

    let id: UInt16
    private(set) var state: State
    private var calls = CircularBuffer<PendingCall>()
    private var consumers: [String: any ConsumerSink] = [:]
    private var confirms: ConfirmTracker<EventLoopPromise<Void>?>?
    private var incoming: IncomingContent?

    init(id: UInt16, openPromise: EventLoopPromise<Void>) {
        self.id = id
        self.state = .opening(openPromise)
    }

    var isOpen: Bool {
        if case .open = self.state { return true }
        return false
    }

    var outstandingConfirms: Int { self.confirms?.outstanding ?? 0 }

    // MARK: Outbound events

    /// A synchronous method was sent; its reply completes `call`.
    mutating func callSent(_ call: PendingCall, method: AMQPMethod) {
        if case .confirm(.select) = method, self.confirms == nil {
            self.confirms = ConfirmTracker()
        }
        self.calls.append(call)
    }

    /// A publish was sent. In confirm mode, `promise` completes with the broker's ack/nack.
    ///
    /// Returns false when the channel is not in confirm mode: there is no confirm to wait for
    /// and the caller completes `promise` once the message is written.
    mutating func publishSent(confirm promise: EventLoopPromise<Void>) -> Bool {
        guard self.confirms != nil else { return false }
        _ = self.confirms!.published(promise)
        return true
    }

    /// The application closes the channel.
    mutating func closeRequested(promise: EventLoopPromise<Void>) -> Action {
        switch self.state {
        case .open, .opening:
            self.state = .closing(promise)
            return .send(.channel(.close(.init(replyCode: 200, replyText: "Goodbye", classID: 0, methodID: 0))))
        case .closing, .closed:
            promise.succeed()
            return .none
        }
    }

    /// The connection went away: everything pending fails with `error`.
    mutating func connectionClosed(error: AMQPError) -> Teardown {
        self.teardown(error: error)
    }

    // MARK: Inbound events

    mutating func methodReceived(_ method: AMQPMethod) -> Action {
        if self.incoming != nil {
            return .connectionError(self.unexpected("\(method.name) while content was expected"))
        }
        if case .closed = self.state {
            return .none
        }
        if case .closing = self.state {
            switch method {
            case .channel(.closeOk), .channel(.close):
                break
            default:
                return .none  // discarded while closing (spec 2.2.4)
            }
        }
        switch method {
        case .channel(.openOk):
            guard case .opening(let promise) = self.state else {
                return .connectionError(self.unexpected("channel.open-ok"))
            }
            self.state = .open
            return .succeedOpen(promise)

        case .channel(.close(let close)):
            let error = AMQPError(
                code: AMQPError.Code(replyCode: close.replyCode),
                message: close.replyText,
                classID: close.classID,
                methodID: close.methodID
            )
            return .closed(self.teardown(error: error), replyCloseOk: true)

        case .channel(.closeOk):
            guard case .closing = self.state else {
                return .connectionError(self.unexpected("channel.close-ok"))
            }
            return .closed(
                self.teardown(
                    error: AMQPError(code: .channelClosed, message: "channel \(self.id) closed by the application")),
                replyCloseOk: false)

        case .channel(.flow(let flow)):
            return .send(.channel(.flowOk(.init(active: flow.active))))

        case .basic(.deliver(let deliver)):
            self.incoming = IncomingContent(kind: .deliver(deliver), header: nil, body: ByteBuffer())
            return .none

        case .basic(.return(let returned)):
            self.incoming = IncomingContent(kind: .return(returned), header: nil, body: ByteBuffer())
            return .none

        case .basic(.getOk(let getOk)):
            guard case .method(let promise) = self.calls.popFirst() else {
                return .connectionError(self.unexpected("basic.get-ok"))
            }
            self.incoming = IncomingContent(kind: .getOk(getOk, promise), header: nil, body: ByteBuffer())
            return .none

        case .basic(.ack(let ack)):
            guard self.confirms != nil else {
                return .connectionError(self.unexpected("basic.ack outside confirm mode"))
            }
            return .succeedConfirms(
                self.confirms!.settle(deliveryTag: ack.deliveryTag, multiple: ack.multiple).compactMap { $0 })

        case .basic(.nack(let nack)):
            guard self.confirms != nil else {
                return .connectionError(self.unexpected("basic.nack outside confirm mode"))
            }
            let promises = self.confirms!.settle(deliveryTag: nack.deliveryTag, multiple: nack.multiple).compactMap {
                $0
            }
            return .failConfirms(
                promises,
                AMQPError(
                    code: .publishNacked, message: "the broker nacked the publish (delivery tag \(nack.deliveryTag))")
            )

        case .basic(.cancel(let cancel)):
            // Broker-initiated cancel (consumer_cancel_notify): queue deleted, node down, …
            guard let sink = self.consumers.removeValue(forKey: cancel.consumerTag) else {
                return cancel.noWait ? .none : .send(.basic(.cancelOk(.init(consumerTag: cancel.consumerTag))))
            }
            return .consumerCancelled(
                sink,
                AMQPError(code: .consumerCancelled, message: "the broker cancelled consumer \(cancel.consumerTag)"),
                reply: cancel.noWait ? nil : .basic(.cancelOk(.init(consumerTag: cancel.consumerTag)))
            )

        default:
            // Every other method from the broker is the reply to the oldest pending call.
            guard let call = self.calls.popFirst() else {
                return .connectionError(self.unexpected("\(method.name) with no call pending"))
            }
            let response = ChannelResponse(method: method)
            switch (call, method) {
            case (.consume(let sink, let promise), .basic(.consumeOk(let ok))):
                self.consumers[ok.consumerTag] = sink
                return .succeedCall(promise, response)
            case (.method(let promise), .basic(.cancelOk(let ok))):
                if let sink = self.consumers.removeValue(forKey: ok.consumerTag) {
                    return .consumerEnded(sink, promise, response)
                }
                return .succeedCall(promise, response)
            case (.method(let promise), _):
                return .succeedCall(promise, response)
            case (.consume, _):
                return .connectionError(self.unexpected("\(method.name) in reply to basic.consume"))
            }
        }
    }

    mutating func headerReceived(_ header: AMQPContentHeader) -> Action {
        guard var incoming = self.incoming, incoming.header == nil else {
            return .connectionError(self.unexpected("content header without a content method"))
        }
        incoming.header = header
        if header.bodySize == 0 {
            self.incoming = nil
            return self.complete(incoming)
        }
        incoming.body.reserveCapacity(Int(clamping: header.bodySize))
        self.incoming = incoming
        return .none
    }

    mutating func bodyReceived(_ body: ByteBuffer) -> Action {
        guard var incoming = self.incoming, let header = incoming.header else {
            return .connectionError(self.unexpected("content body without a content header"))
        }
        self.incoming = nil  // avoid a copy-on-write of the growing body
        var body = body
        incoming.body.writeBuffer(&body)
        let received = UInt64(incoming.body.readableBytes)
        if received > header.bodySize {
            return .connectionError(self.unexpected("content body longer than its header's body size"))
        }
        if received == header.bodySize {
            return self.complete(incoming)
        }
        self.incoming = incoming
        return .none
    }

    // MARK: Helpers

    private mutating func complete(_ incoming: IncomingContent) -> Action {
        let properties = incoming.header?.properties ?? AMQPBasicProperties()
        switch incoming.kind {
        case .deliver(let deliver):
            guard let sink = self.consumers[deliver.consumerTag] else {
                // A delivery racing our basic.cancel: the broker requeues it when the channel closes.
                return .none
            }
            return .deliver(sink, InboundMessage(deliver: deliver, properties: properties, body: incoming.body))
        case .getOk(let getOk, let promise):
            return .succeedCall(
                promise,
                ChannelResponse(method: .basic(.getOk(getOk)), properties: properties, body: incoming.body)
            )
        case .return(let returned):
            return .returned(
                AMQPReturnedMessage(
                    replyCode: returned.replyCode,
                    replyText: returned.replyText,
                    exchange: returned.exchange,
                    routingKey: returned.routingKey,
                    properties: properties,
                    body: incoming.body
                )
            )
        }
    }

    private mutating func teardown(error: AMQPError) -> Teardown {
        var teardown = Teardown(error: error)
        switch self.state {
        case .opening(let promise): teardown.openPromise = promise
        case .closing(let promise): teardown.closePromise = promise
        case .open, .closed: break
        }
        self.state = .closed
        teardown.calls = Array(self.calls)
        self.calls.removeAll()
        if case .getOk(_, let promise) = self.incoming?.kind {
            teardown.calls.append(.method(promise))
        }
        self.incoming = nil
        teardown.confirms = (self.confirms?.removeAll() ?? []).compactMap { $0 }
        teardown.consumers = Array(self.consumers.values)
        self.consumers.removeAll()
        return teardown
    }

    private func unexpected(_ what: String) -> AMQPError {
        AMQPError(code: .unexpectedFrame, message: "unexpected \(what) on channel \(self.id)", closedConnection: true)
    }
}
