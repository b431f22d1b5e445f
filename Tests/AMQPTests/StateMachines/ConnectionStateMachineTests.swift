import NIOCore
import Testing

@testable import AMQP

/// The connection state machine as a plain value: handshake, tuning, heartbeats, close.
@Suite("ConnectionStateMachine")
struct ConnectionStateMachineTests {
    static let parameters = ConnectionStateMachine.Parameters(
        user: "guest", password: "secret", virtualHost: "/chat", clientProperties: ["product": "test"],
        channelMax: 2047, frameMax: 131_072, heartbeat: 60
    )
    static let start = AMQPMethod.Connection.start(
        .init(versionMajor: 0, versionMinor: 9, mechanisms: "AMQPLAIN PLAIN", locales: "en_US"))

    static func opened(heartbeat: UInt16 = 10) -> ConnectionStateMachine {
        var machine = ConnectionStateMachine(parameters: parameters)
        _ = machine.connected(now: .uptimeNanoseconds(0))
        _ = machine.methodReceived(start)
        _ = machine.methodReceived(.tune(.init(channelMax: 0, frameMax: 131_072, heartbeat: heartbeat)))
        _ = machine.methodReceived(.openOk(.init()))
        return machine
    }

    @Test("handshake: protocol header, PLAIN start-ok, tune-ok + open, established")
    func handshake() {
        var machine = ConnectionStateMachine(parameters: Self.parameters)
        do {
            let result = machine.connected(now: .uptimeNanoseconds(0))
            #expect(result == .sendProtocolHeader)
        }
        guard case .send(.connection(.startOk(let startOk))) = machine.methodReceived(Self.start) else {
            Issue.record("expected start-ok")
            return
        }
        #expect(startOk.mechanism == "PLAIN")
        #expect(startOk.response == "\u{0}guest\u{0}secret")
        let action = machine.methodReceived(.tune(.init(channelMax: 0, frameMax: 4096, heartbeat: 30)))
        let tuning = ConnectionStateMachine.Tuning(channelMax: 2047, frameMax: 4096, heartbeat: 30)
        #expect(
            action
                == .tuned(
                    tuning,
                    tuneOk: .connection(.tuneOk(.init(channelMax: 2047, frameMax: 4096, heartbeat: 30))),
                    open: .connection(.open(.init(virtualHost: "/chat")))
                )
        )
        do {
            let result = machine.methodReceived(.openOk(.init()))
            #expect(result == .established(tuning, serverProperties: [:]))
        }
        #expect(machine.isOpen)
    }

    @Test("a broker without PLAIN is refused")
    func noPlain() {
        var machine = ConnectionStateMachine(parameters: Self.parameters)
        _ = machine.connected(now: .uptimeNanoseconds(0))
        let action = machine.methodReceived(.start(.init(mechanisms: "EXTERNAL")))
        guard case .sendCloseAndClose(_, let error) = action else {
            Issue.record("expected close, got \(action)")
            return
        }
        #expect(error.code == .notImplemented)
    }

    @Test("negotiation: 0 means no limit, otherwise the smaller wins")
    func negotiation() {
        #expect(ConnectionStateMachine.negotiate(UInt32(0), UInt32(4096)) == 4096)
        #expect(ConnectionStateMachine.negotiate(UInt32(131_072), UInt32(0)) == 131_072)
        #expect(ConnectionStateMachine.negotiate(UInt16(100), UInt16(2047)) == 100)
        #expect(ConnectionStateMachine.negotiateHeartbeat(client: 0, server: 60) == 60)
        #expect(ConnectionStateMachine.negotiateHeartbeat(client: 5, server: 60) == 5)
    }

    @Test("ACCESS_REFUSED during the handshake becomes a typed error")
    func accessRefused() {
        var machine = ConnectionStateMachine(parameters: Self.parameters)
        _ = machine.connected(now: .uptimeNanoseconds(0))
        _ = machine.methodReceived(Self.start)
        let action = machine.methodReceived(
            .close(.init(replyCode: 403, replyText: "ACCESS_REFUSED - Login was refused", classID: 10, methodID: 11)))
        guard case .replyCloseOkAndClose(let error) = action else {
            Issue.record("expected close-ok, got \(action)")
            return
        }
        #expect(error.code == .accessRefused)
        #expect(error.closedConnection)
    }

    @Test("heartbeats: send when idle, fail after two silent intervals")
    func heartbeats() {
        var machine = Self.opened(heartbeat: 10)
        let second: Int64 = 1_000_000_000
        do {
            let result = machine.heartbeatTimerFired(now: .uptimeNanoseconds(UInt64(2 * second)))
            #expect(result == .none)
        }
        do {
            let result = machine.heartbeatTimerFired(now: .uptimeNanoseconds(UInt64(6 * second)))
            #expect(result == .sendHeartbeat)
        }
        machine.frameReceived(now: .uptimeNanoseconds(UInt64(15 * second)))
        do {
            let result = machine.heartbeatTimerFired(now: .uptimeNanoseconds(UInt64(30 * second)))
            #expect(result == .sendHeartbeat)
        }
        let action = machine.heartbeatTimerFired(now: .uptimeNanoseconds(UInt64(36 * second)))
        guard case .fail(let error) = action else {
            Issue.record("expected heartbeat failure, got \(action)")
            return
        }
        #expect(error.code == .heartbeatTimeout)
        #expect(error.isRetryable)
    }

    @Test("blocked, unblocked and the close handshake")
    func blockedAndClose() {
        var machine = Self.opened()
        do {
            let result = machine.methodReceived(.blocked(.init(reason: "low on memory")))
            #expect(result == .blocked(reason: "low on memory"))
        }
        do {
            let result = machine.methodReceived(.unblocked(.init()))
            #expect(result == .unblocked)
        }
        do {
            let result = machine.closeRequested()
            #expect(result == .send(.connection(.close(.init(replyCode: 200, replyText: "Goodbye")))))
        }
        do {
            let result = machine.closeRequested()
            #expect(result == .none)
        }
        do {
            let result = machine.methodReceived(.blocked(.init(reason: "ignored while closing")))
            #expect(result == .none)
        }
        do {
            let result = machine.methodReceived(.closeOk(.init()))
            #expect(result == .closeSocket)
        }
    }

    @Test("an unexpected method is UNEXPECTED_FRAME")
    func unexpected() {
        var machine = Self.opened()
        guard case .sendCloseAndClose(.connection(.close(let close)), let error) = machine.methodReceived(Self.start)
        else {
            Issue.record("expected a connection close")
            return
        }
        #expect(close.replyCode == 505)
        #expect(error.code == .unexpectedFrame)
    }
}
