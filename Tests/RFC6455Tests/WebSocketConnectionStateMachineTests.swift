import Testing

@testable import RFC6455

@Suite("WebSocketConnectionStateMachine")
struct WebSocketConnectionStateMachineTests {
    @Test("a close with nothing queued goes out at once; the client's answer ends the connection")
    func serverClose() {
        var machine = WebSocketConnectionStateMachine()
        #expect(
            machine.closeRequested(code: 1013, reason: "slow", framesQueued: false)
                == .sendClose(code: 1013, reason: "slow"))
        #expect(!machine.acceptsFrames)
        // A second decision (the hub's 1000 after the client left) changes nothing.
        #expect(machine.closeRequested(code: 1000, reason: "session ended", framesQueued: false) == .none)
        #expect(machine.closeReceived(code: 1013) == .closeChannel)
        #expect(machine.state == .closed)
    }

    @Test("a close waits for the frames queued before it")
    func closeAfterQueuedFrames() {
        var machine = WebSocketConnectionStateMachine()
        #expect(machine.closeRequested(code: 1012, reason: "restart", framesQueued: true) == .waitForQueuedFrames)
        #expect(machine.state == .closeQueued(code: 1012, reason: "restart"))
        #expect(machine.queuedFramesWritten() == .sendClose(code: 1012, reason: "restart"))
        #expect(machine.queuedFramesWritten() == .none)
        #expect(machine.state == .closeSent)
    }

    @Test("the client's close is echoed with its code (1000 for none or 1005) and ends the connection")
    func clientClose() {
        var machine = WebSocketConnectionStateMachine()
        #expect(machine.closeReceived(code: 4000) == .echoCloseAndCloseChannel(code: 4000))
        #expect(machine.closeReceived(code: 1000) == .none)
        var noCode = WebSocketConnectionStateMachine()
        #expect(noCode.closeReceived(code: nil) == .echoCloseAndCloseChannel(code: 1000))
        var reserved = WebSocketConnectionStateMachine()
        #expect(reserved.closeReceived(code: 1005) == .echoCloseAndCloseChannel(code: 1000))
    }

    @Test("keepalive: ping, then a pong keeps the connection; a ping unanswered by the next period closes it with 1001")
    func keepalive() {
        var machine = WebSocketConnectionStateMachine()
        #expect(machine.keepaliveTimerFired() == .sendPing)
        machine.pongReceived()
        #expect(machine.keepaliveTimerFired() == .sendPing)
        #expect(machine.keepaliveTimerFired() == .sendClose(code: 1001, reason: "ping timeout"))
        #expect(machine.keepaliveTimerFired() == .none)
        #expect(machine.pingReceived() == .none)
    }

    @Test("the close timeout ends a connection once, whatever state it was in")
    func closeTimeout() {
        var machine = WebSocketConnectionStateMachine()
        _ = machine.closeRequested(code: 1013, reason: "slow", framesQueued: true)
        #expect(machine.closeTimedOut() == .closeChannel)
        #expect(machine.closeTimedOut() == .none)
        #expect(machine.queuedFramesWritten() == .none)
    }
}
