import NIOCore
import Testing

@testable import SockJS

/// `offer`, the never-waiting way into a session's queue (the chat's fan-out), as plain values.
@Suite("SockJS session state machine: offer")
struct SessionStateMachineOfferTests {
    static let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
    static let bounds = SessionStateMachine.Limits(maxPendingBytes: 1 << 20, maxPendingMessages: 3)
    static let overflow = (code: 1013, reason: "too slow")

    static func message(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    @Test("messages wait in the session between receivers and go out in order")
    func queuedBetweenReceivers() throws {
        var machine = SessionStateMachine(limits: .init(maxPendingBytes: 10, maxPendingMessages: 3), now: Self.start)
        let first = try #require(machine.attach().receiver)
        #expect(machine.next(for: first) == .frame(.open, drained: false))
        machine.detach(first, now: Self.start)
        // No receiver attached: the session keeps them (the generic `enqueue` bounds do not apply).
        #expect(
            machine.offer(Self.message("a"), ephemeral: false, bounds: Self.bounds, overflowClose: Self.overflow)
                == .queued)
        #expect(
            machine.offer(Self.message("b"), ephemeral: true, bounds: Self.bounds, overflowClose: Self.overflow)
                == .queued)
        let second = try #require(machine.attach().receiver)
        #expect(machine.next(for: second) == .frame(.messages([Self.message("a"), Self.message("b")]), drained: true))
        #expect(machine.next(for: second) == .wait)
    }

    @Test("full: a new ephemeral message is dropped, an essential one evicts the oldest ephemeral")
    func ephemeralFirst() throws {
        var machine = SessionStateMachine(limits: Self.bounds, now: Self.start)
        #expect(
            machine.offer(Self.message("m1"), ephemeral: false, bounds: Self.bounds, overflowClose: Self.overflow)
                == .queued)
        #expect(
            machine.offer(Self.message("t1"), ephemeral: true, bounds: Self.bounds, overflowClose: Self.overflow)
                == .queued)
        #expect(
            machine.offer(Self.message("m2"), ephemeral: false, bounds: Self.bounds, overflowClose: Self.overflow)
                == .queued)
        #expect(
            machine.offer(Self.message("t2"), ephemeral: true, bounds: Self.bounds, overflowClose: Self.overflow)
                == .dropped)
        #expect(
            machine.offer(Self.message("m3"), ephemeral: false, bounds: Self.bounds, overflowClose: Self.overflow)
                == .queued)
        #expect(machine.droppedEphemeral == 2)
        let receiver = try #require(machine.attach().receiver)
        #expect(machine.next(for: receiver) == .frame(.open, drained: false))
        let expected = [Self.message("m1"), Self.message("m2"), Self.message("m3")]
        #expect(machine.next(for: receiver) == .frame(.messages(expected), drained: true))
    }

    @Test("full of essential messages: the session closes with the overflow code and its queue is discarded")
    func overflowCloses() throws {
        var machine = SessionStateMachine(limits: Self.bounds, now: Self.start)
        for index in 0..<3 {
            #expect(
                machine.offer(
                    Self.message("m\(index)"), ephemeral: false, bounds: Self.bounds, overflowClose: Self.overflow)
                    == .queued)
        }
        #expect(
            machine.offer(Self.message("m3"), ephemeral: false, bounds: Self.bounds, overflowClose: Self.overflow)
                == .overflow)
        #expect(machine.isClosed)
        #expect(
            machine.offer(Self.message("m4"), ephemeral: false, bounds: Self.bounds, overflowClose: Self.overflow)
                == .dropped)
        let receiver = try #require(machine.attach().receiver)
        #expect(machine.next(for: receiver) == .frame(.open, drained: false))
        #expect(machine.next(for: receiver) == .frame(.close(code: 1013, reason: "too slow"), drained: false))
    }

    @Test("the byte bound counts like the message bound")
    func byteBound() {
        let bounds = SessionStateMachine.Limits(maxPendingBytes: 5, maxPendingMessages: 100)
        var machine = SessionStateMachine(limits: bounds, now: Self.start)
        #expect(
            machine.offer(Self.message("abc"), ephemeral: true, bounds: bounds, overflowClose: Self.overflow) == .queued
        )
        // "defg" does not fit beside "abc": the ephemeral "abc" goes.
        #expect(
            machine.offer(Self.message("defg"), ephemeral: false, bounds: bounds, overflowClose: Self.overflow)
                == .queued)
        #expect(
            machine.offer(Self.message("hi"), ephemeral: false, bounds: bounds, overflowClose: Self.overflow)
                == .overflow)
    }
}
