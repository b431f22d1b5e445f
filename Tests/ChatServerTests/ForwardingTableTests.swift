import NIOCore
import SockJS
import Testing

@testable import ChatServer

/// The bookkeeping of forwarded SockJS requests as a value: capacity, deadlines, one owner.
@Suite("SockJS forwarding table")
struct ForwardingTableTests {
    static func streams() -> RelayStreams {
        RelayStreams(
            acceptance: AsyncThrowingStream<Bool, any Error>.makeStream().continuation,
            head: AsyncThrowingStream<SockJSResponseHead, any Error>.makeStream().continuation,
            body: AsyncThrowingStream<ByteBuffer, any Error>.makeStream().continuation)
    }

    @Test("admits up to its capacity, then reports overload until a request is removed")
    func capacity() {
        var table = ForwardingTable(capacity: 2)
        let now = ContinuousClock.now
        #expect(table.admit("a", session: "s", streams: Self.streams(), deadline: now) == .admitted)
        #expect(table.admit("b", session: "s", streams: Self.streams(), deadline: now) == .admitted)
        #expect(table.admit("c", session: "s", streams: Self.streams(), deadline: now) == .overloaded)
        #expect(table.remove("a") != nil)
        #expect(table.admit("c", session: "s", streams: Self.streams(), deadline: now) == .admitted)
        #expect(table.count == 2)
    }

    @Test(
        "the first node to accept owns the request; another node's replies are refused; a return after acceptance is ignored"
    )
    func oneOwner() {
        var table = ForwardingTable(capacity: 4)
        let now = ContinuousClock.now
        _ = table.admit("a", session: "s", streams: Self.streams(), deadline: now)
        #expect(table.returned("a") != nil)
        guard case .deliver = table.reply("a", from: "n1", accepts: true, deadline: now) else {
            Issue.record("the first acceptance is delivered")
            return
        }
        #expect(table.returned("a") == nil)
        guard case .otherOwner("n1") = table.reply("a", from: "n2", accepts: true, deadline: now) else {
            Issue.record("a second node's acceptance is refused")
            return
        }
        guard case .deliver = table.reply("a", from: "n1", accepts: false, deadline: now) else {
            Issue.record("the owner's later replies are delivered")
            return
        }
        guard case .unknown = table.reply("zzz", from: "n1", accepts: false, deadline: now) else {
            Issue.record("replies to unknown requests are dropped")
            return
        }
    }

    @Test("replies push the deadline; only requests past their deadline expire")
    func deadlines() {
        var table = ForwardingTable(capacity: 4)
        let start = ContinuousClock.now
        _ = table.admit("quiet", session: "s1", streams: Self.streams(), deadline: start + .seconds(10))
        _ = table.admit("busy", session: "s2", streams: Self.streams(), deadline: start + .seconds(10))
        _ = table.reply("busy", from: "n1", accepts: true, deadline: start + .seconds(60))
        #expect(table.expire(now: start + .seconds(5)).isEmpty)
        let expired = table.expire(now: start + .seconds(11))
        #expect(expired.map(\.id) == ["quiet"])
        #expect(expired.first?.entry.session == "s1")
        #expect(table.count == 1)
        #expect(table.expire(now: start + .seconds(61)).map(\.id) == ["busy"])
        #expect(table.count == 0)
    }
}
