import Testing

@testable import ChatCore

@Suite("InboundPolicy")
struct InboundPolicyTests {
    static let limits = InboundLimits(
        connectionFramesPerSecond: 2, connectionBurst: 3, userFramesPerSecond: 1, userBurst: 4,
        refusalsBeforeClose: 2, helloTimeout: .seconds(10), idleTimeout: .seconds(300))

    @Test("a connection gets its burst, then refusals, then is closed; time refills it")
    func connectionBurstThenRefuseThenClose() {
        var policy = InboundPolicy(limits: Self.limits)
        var allowance = ConnectionAllowance(limits: Self.limits, nowMillis: 0)
        let answers = (0..<6).map { _ in policy.admit(&allowance, user: nil, nowMillis: 0) }
        #expect(answers == [.admit, .admit, .admit, .refuse, .refuse, .close])
        // Half a second at 2 frames per second earns one frame back.
        let step1 = policy.admit(&allowance, user: nil, nowMillis: 500)
        #expect(step1 == .admit)
        #expect(allowance.lastInboundMillis == 500)
    }

    @Test(
        "a user's allowance is shared by all their sessions, and a frame the user bucket refuses costs the connection nothing"
    )
    func userAllowanceIsShared() {
        var policy = InboundPolicy(limits: Self.limits)
        var first = ConnectionAllowance(limits: Self.limits, nowMillis: 0)
        var second = ConnectionAllowance(limits: Self.limits, nowMillis: 0)
        let step2 = policy.admit(&first, user: "alice", nowMillis: 0)
        #expect(step2 == .admit)
        let step3 = policy.admit(&first, user: "alice", nowMillis: 0)
        #expect(step3 == .admit)
        let step4 = policy.admit(&second, user: "alice", nowMillis: 0)
        #expect(step4 == .admit)
        let step5 = policy.admit(&second, user: "alice", nowMillis: 0)
        #expect(step5 == .admit)
        // The user's burst of 4 is spent; the second connection still has one frame of its own.
        let step6 = policy.admit(&second, user: "alice", nowMillis: 0)
        #expect(step6 == .refuse)
        let step7 = policy.admit(&second, user: "bob", nowMillis: 0)
        #expect(step7 == .admit)
        // Forgetting the user (last session gone) starts the next session afresh.
        policy.forget(user: "alice")
        var third = ConnectionAllowance(limits: Self.limits, nowMillis: 0)
        let step8 = policy.admit(&third, user: "alice", nowMillis: 0)
        #expect(step8 == .admit)
    }

    @Test("no hello within the hello timeout closes with 4001; silence beyond the idle timeout with 4002")
    func timeouts() {
        let policy = InboundPolicy(limits: Self.limits)
        var allowance = ConnectionAllowance(limits: Self.limits, nowMillis: 1_000)
        #expect(policy.expiry(of: allowance, identified: false, nowMillis: 10_999) == nil)
        #expect(policy.expiry(of: allowance, identified: false, nowMillis: 11_000)?.code == .helloTimeout)
        #expect(policy.expiry(of: allowance, identified: false, nowMillis: 11_000)?.reason == "no hello within 10 s")
        // A hello that arrived (its token still being checked) stops the hello clock.
        allowance.helloReceived = true
        #expect(policy.expiry(of: allowance, identified: false, nowMillis: 11_000) == nil)
        #expect(policy.expiry(of: allowance, identified: true, nowMillis: 301_000)?.code == .idleTimeout)
        let disabled = InboundPolicy(limits: InboundLimits(helloTimeout: .zero, idleTimeout: .zero))
        #expect(disabled.expiry(of: allowance, identified: false, nowMillis: .max / 2) == nil)
    }

    @Test("the refusal names both limits, without a trailing .0")
    func refusalMessage() {
        #expect(
            InboundPolicy(limits: Self.limits).refusalMessage
                == "too many frames: at most 2 per second per connection, 1 per user")
        #expect(2.5.compactDescription == "2.5")
    }
}
