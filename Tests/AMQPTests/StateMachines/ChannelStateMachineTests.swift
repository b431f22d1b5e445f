import NIOCore
import NIOEmbedded
import Testing

@testable import AMQP

/// The channel state machine as a plain value, with promises from an embedded event loop.
@Suite("ChannelStateMachine")
struct ChannelStateMachineTests {
    final class RecordingSink: ConsumerSink, @unchecked Sendable {
        // @unchecked: only touched from the test's single thread (EmbeddedEventLoop).
        var deliveries: [InboundMessage] = []
        var finished: [AMQPError?] = []
        func deliver(_ message: InboundMessage, generation: UInt64) { self.deliveries.append(message) }
        func finish(error: AMQPError?) { self.finished.append(error) }
        func connectionLost(_ error: AMQPError) {}
    }

    let loop = EmbeddedEventLoop()

    func openChannel() -> ChannelStateMachine {
        var machine = ChannelStateMachine(id: 1, openPromise: self.loop.makePromise())
        guard case .succeedOpen(let promise) = machine.methodReceived(.channel(.openOk(.init()))) else {
            preconditionFailure("expected open-ok to open the channel")
        }
        promise.succeed()
        return machine
    }

    @Test("pipelined calls complete in order")
    func pipelinedCalls() throws {
        var machine = self.openChannel()
        let first = self.loop.makePromise(of: ChannelResponse.self)
        let second = self.loop.makePromise(of: ChannelResponse.self)
        machine.callSent(.method(first), method: .queue(.declare(.init())))
        machine.callSent(.method(second), method: .basic(.qos(.init(prefetchCount: 1))))
        guard
            case .succeedCall(let promise, let response) = machine.methodReceived(.queue(.declareOk(.init(queue: "q"))))
        else {
            Issue.record("expected first call to complete")
            return
        }
        #expect(promise.futureResult === first.futureResult)
        #expect(response.method == .queue(.declareOk(.init(queue: "q"))))
        promise.succeed(response)
        guard case .succeedCall(let secondPromise, _) = machine.methodReceived(.basic(.qosOk(.init()))) else {
            Issue.record("expected second call to complete")
            return
        }
        #expect(secondPromise.futureResult === second.futureResult)
        secondPromise.succeed(ChannelResponse(method: .basic(.qosOk(.init()))))
    }

    @Test("deliveries are reassembled from header and body frames")
    func reassembly() {
        var machine = self.openChannel()
        let sink = RecordingSink()
        let promise = self.loop.makePromise(of: ChannelResponse.self)
        machine.callSent(.consume(sink, promise), method: .basic(.consume(.init(queue: "q", consumerTag: "c"))))
        guard
            case .succeedCall(let consumeOk, let response) = machine.methodReceived(
                .basic(.consumeOk(.init(consumerTag: "c"))))
        else {
            Issue.record("expected consume-ok")
            return
        }
        consumeOk.succeed(response)
        do {
            let result = machine.methodReceived(.basic(.deliver(.init(consumerTag: "c", deliveryTag: 1))))
            #expect(result.isNone)
        }
        do {
            let result = machine.headerReceived(AMQPContentHeader(bodySize: 6, properties: .init(type: "t")))
            #expect(result.isNone)
        }
        do {
            let result = machine.bodyReceived(ByteBuffer(string: "hel"))
            #expect(result.isNone)
        }
        guard case .deliver(_, let message) = machine.bodyReceived(ByteBuffer(string: "lo!")) else {
            Issue.record("expected a delivery")
            return
        }
        #expect(message.body == ByteBuffer(string: "hello!"))
        #expect(message.properties.type == "t")
    }

    @Test("a body without a header is UNEXPECTED_FRAME")
    func bodyWithoutHeader() {
        var machine = self.openChannel()
        guard case .connectionError(let error) = machine.bodyReceived(ByteBuffer(string: "x")) else {
            Issue.record("expected a connection error")
            return
        }
        #expect(error.code == .unexpectedFrame)
    }

    @Test("confirms: acks succeed, nacks fail, close fails the rest")
    func confirms() {
        var machine = self.openChannel()
        let select = self.loop.makePromise(of: ChannelResponse.self)
        machine.callSent(.method(select), method: .confirm(.select(.init())))
        guard case .succeedCall(let selectOk, let response) = machine.methodReceived(.confirm(.selectOk(.init())))
        else {
            Issue.record("expected select-ok")
            return
        }
        selectOk.succeed(response)
        let promises = (0..<4).map { _ in self.loop.makePromise(of: Void.self) }
        for promise in promises {
            let inConfirmMode = machine.publishSent(confirm: promise)
            #expect(inConfirmMode)
        }
        guard
            case .succeedConfirms(let acked) = machine.methodReceived(
                .basic(.ack(.init(deliveryTag: 2, multiple: true))))
        else {
            Issue.record("expected acks")
            return
        }
        #expect(acked.count == 2)
        for promise in acked { promise.succeed() }
        guard case .failConfirms(let nacked, let error) = machine.methodReceived(.basic(.nack(.init(deliveryTag: 3))))
        else {
            Issue.record("expected a nack")
            return
        }
        #expect(nacked.count == 1 && error.code == .publishNacked)
        for promise in nacked { promise.fail(error) }
        guard
            case .closed(let teardown, let replyCloseOk) = machine.methodReceived(
                .channel(.close(.init(replyCode: 404, replyText: "NOT_FOUND", classID: 60, methodID: 40)))
            )
        else {
            Issue.record("expected the channel to close")
            return
        }
        #expect(replyCloseOk)
        #expect(teardown.error.code == .notFound)
        #expect(teardown.confirms.count == 1)
        for promise in teardown.confirms { promise.fail(teardown.error) }
    }

    @Test("a broker cancel ends the consumer with consumerCancelled")
    func brokerCancel() {
        var machine = self.openChannel()
        let sink = RecordingSink()
        let promise = self.loop.makePromise(of: ChannelResponse.self)
        machine.callSent(.consume(sink, promise), method: .basic(.consume(.init(queue: "q", consumerTag: "c"))))
        if case .succeedCall(let p, let r) = machine.methodReceived(.basic(.consumeOk(.init(consumerTag: "c")))) {
            p.succeed(r)
        }
        guard
            case .consumerCancelled(_, let error, let reply) = machine.methodReceived(
                .basic(.cancel(.init(consumerTag: "c", noWait: true))))
        else {
            Issue.record("expected consumer cancelled")
            return
        }
        #expect(error.code == .consumerCancelled)
        #expect(reply == nil)
    }
}

extension ChannelStateMachine.Action {
    var isNone: Bool {
        if case .none = self { return true }
        return false
    }
}
