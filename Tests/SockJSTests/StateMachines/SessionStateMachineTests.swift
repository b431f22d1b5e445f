import NIOCore
import Testing

@testable import SockJS

/// The session rules, as plain values: open first, one receiver, close frames, abort, expiry.
@Suite("SockJS session state machine")
struct SessionStateMachineTests {
    static let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
    static func machine() -> SessionStateMachine {
        SessionStateMachine(limits: .init(maxPendingBytes: 10, maxPendingMessages: 3), now: start)
    }

    @Test("the first receiver gets o, then queued messages in one frame, then waits")
    func openThenMessages() throws {
        var machine = Self.machine()
        let receiver = try #require(machine.attach().receiver)
        let result1 = machine.next(for: receiver)
        #expect(result1 == .frame(.open, drained: false))
        let result2 = machine.enqueue(ByteBuffer(string: "a"))
        #expect(result2 == .queued)
        let result3 = machine.enqueue(ByteBuffer(string: "b"))
        #expect(result3 == .queued)
        let result4 = machine.next(for: receiver)
        #expect(result4 == .frame(.messages([ByteBuffer(string: "a"), ByteBuffer(string: "b")]), drained: true))
        let result5 = machine.next(for: receiver)
        #expect(result5 == .wait)
    }

    @Test("a second receiver is told another connection is open; the first is unaffected")
    func anotherConnection() throws {
        var machine = Self.machine()
        let first = try #require(machine.attach().receiver)
        let result6 = machine.attach()
        #expect(result6 == .anotherConnectionOpen)
        let result7 = machine.next(for: first)
        #expect(result7 == .frame(.open, drained: false))
        machine.detach(first, now: Self.start)
        _ = try #require(machine.attach().receiver, "attached after detach")
    }

    @Test("close: queued messages first, then the close frame to every later receiver")
    func closeFrames() throws {
        var machine = Self.machine()
        let first = try #require(machine.attach().receiver)
        _ = machine.next(for: first)
        _ = machine.enqueue(ByteBuffer(string: "last"))
        let result8 = machine.close(code: 3000, reason: "Go away!")
        #expect(result8)
        let result9 = machine.close(code: 1000, reason: "again")
        #expect(!result9)
        let result10 = machine.enqueue(ByteBuffer(string: "late"))
        #expect(result10 == .closed)
        let result11 = machine.next(for: first)
        #expect(result11 == .frame(.messages([ByteBuffer(string: "last")]), drained: true))
        let result12 = machine.next(for: first)
        #expect(result12 == .frame(.close(code: 3000, reason: "Go away!"), drained: false))
        machine.detach(first, now: Self.start)
        let second = try #require(machine.attach().receiver)
        let result13 = machine.next(for: second)
        #expect(result13 == .frame(.close(code: 3000, reason: "Go away!"), drained: false))
    }

    @Test("an aborted receiver closes an open session with 1002")
    func abort() throws {
        var machine = Self.machine()
        let receiver = try #require(machine.attach().receiver)
        let result14 = machine.abort(receiver, now: Self.start)
        #expect(result14 == .closed)
        let next = try #require(machine.attach().receiver)
        let result15 = machine.next(for: next)
        #expect(result15 == .frame(.open, drained: false))
        let result16 = machine.next(for: next)
        #expect(result16 == .frame(.connectionInterrupted, drained: false))
        let result17 = machine.next(for: receiver)
        #expect(result17 == .detached)
    }

    @Test("the outbound queue is bounded but always takes one message")
    func bounded() {
        var machine = Self.machine()
        let result18 = machine.enqueue(ByteBuffer(repeating: 0x61, count: 50))
        #expect(result18 == .queued)
        let result19 = machine.enqueue(ByteBuffer(string: "x"))
        #expect(result19 == .full)
    }

    @Test("a session without receiver expires after the disconnect delay, not while a receiver is attached")
    func expiry() throws {
        var machine = Self.machine()
        let receiver = try #require(machine.attach().receiver)
        let result20 = machine.expireIfIdle(now: Self.start + .seconds(60), delay: .seconds(5))
        #expect(result20 == .none)
        machine.detach(receiver, now: Self.start)
        let result21 = machine.expireIfIdle(now: Self.start + .seconds(4), delay: .seconds(5))
        #expect(result21 == .none)
        let result22 = machine.expireIfIdle(now: Self.start + .seconds(5), delay: .seconds(5))
        #expect(result22 == .expire(wasOpen: true))
        #expect(machine.isClosed)
    }
}

extension SessionStateMachine.AttachAction {
    /// The receiver, when the action is `attached`.
    var receiver: SessionStateMachine.ReceiverID? {
        if case .attached(let receiver) = self { receiver } else { nil }
    }
}
