import NIOCore
import Testing

@testable import AMQP

/// Where and when reconnect attempts go, as plain values: endpoints in turn, a short probe
/// interval while brokers refuse connections, exponential backoff once one answered and failed.
@Suite("Recovery schedule")
struct RecoveryScheduleTests {
    typealias Recovery = AMQPConnection.Configuration.Recovery

    /// The next attempt, which must exist.
    func take(_ schedule: inout RecoverySchedule) throws -> RecoverySchedule.Attempt {
        let attempt = schedule.next()
        return try #require(attempt)
    }

    @Test("a lone broker that refuses connections is probed every probe interval, never backed off")
    func refusedIsProbed() throws {
        let policy = Recovery(
            initialBackoff: .milliseconds(100), maximumBackoff: .seconds(10), probeInterval: .milliseconds(250))
        var schedule = RecoverySchedule(policy: policy, endpointCount: 1, lost: 0)
        let first = try take(&schedule)
        #expect(first.endpoint == 0)
        #expect(first.delay <= .milliseconds(150))
        for _ in 0..<50 {
            schedule.failed(.unreachable)
            let next = try take(&schedule)
            #expect(next.endpoint == 0)
            #expect(next.delay >= .milliseconds(125) && next.delay <= .milliseconds(375))
        }
    }

    @Test("a broker that answers and fails backs off exponentially from the initial backoff")
    func reachedBacksOff() throws {
        let policy = Recovery(
            initialBackoff: .milliseconds(100), maximumBackoff: .seconds(2), probeInterval: .milliseconds(250))
        var schedule = RecoverySchedule(policy: policy, endpointCount: 1, lost: 0)
        _ = schedule.next()
        schedule.failed(.reached)
        #expect(try take(&schedule).delay <= .milliseconds(150))
        schedule.failed(.reached)
        let second = try take(&schedule).delay
        #expect(second >= .milliseconds(100) && second <= .milliseconds(300))
        for _ in 0..<10 {
            schedule.failed(.reached)
            _ = schedule.next()
        }
        schedule.failed(.reached)
        #expect(try take(&schedule).delay <= .seconds(2))
    }

    @Test("cluster members are tried in turn from the one after the lost one, without waiting within a round")
    func failover() throws {
        let policy = Recovery(probeInterval: .milliseconds(250))
        var schedule = RecoverySchedule(policy: policy, endpointCount: 3, lost: 0)
        let first = try take(&schedule)
        #expect(first.endpoint == 1)
        schedule.failed(.unreachable)
        let second = try take(&schedule)
        #expect(second.endpoint == 2)
        #expect(second.delay == .zero)
        schedule.failed(.unreachable)
        let third = try take(&schedule)
        #expect(third.endpoint == 0)
        #expect(third.delay == .zero)
        schedule.failed(.unreachable)
        // The whole round refused: probe again after the probe interval.
        let fourth = try take(&schedule)
        #expect(fourth.endpoint == 1)
        #expect(fourth.delay >= .milliseconds(125) && fourth.delay <= .milliseconds(375))
    }

    @Test("maximum attempts end the schedule")
    func maximumAttempts() {
        var schedule = RecoverySchedule(policy: Recovery(maximumAttempts: 2), endpointCount: 2, lost: 1)
        #expect(schedule.next()?.endpoint == 0)
        schedule.failed(.reached)
        #expect(schedule.next()?.endpoint == 1)
        schedule.failed(.reached)
        #expect(schedule.next() == nil)
    }

    @Test("a nudge ends the sleep between attempts at once, and one that came first ends the next sleep")
    func wakeup() async {
        let wakeup = RecoveryWakeup()
        wakeup.nudge()
        let start = ContinuousClock.now
        await wakeup.sleep(for: .seconds(600))
        async let sleeping: Void = wakeup.sleep(for: .seconds(600))
        // Nudge until the sleeper took it (the nudge may land before or during the sleep).
        wakeup.nudge()
        await sleeping
        #expect(ContinuousClock.now - start < .seconds(600))
    }
}

/// Several URLs of one cluster.
@Suite("Configuration of a cluster")
struct ClusterConfigurationTests {
    @Test("several URLs give failover endpoints in order, with the first URL's credentials")
    func urls() throws {
        let configuration = try AMQPConnection.Configuration(urls: [
            "amqp://u:p@10.0.0.1:5672/chat?heartbeat=5", "amqp://u:p@10.0.0.2:5673/chat", "amqp://u:p@[::1]/chat",
        ])
        #expect(configuration.endpoints.map(\.description) == ["10.0.0.1:5672", "10.0.0.2:5673", "::1:5672"])
        #expect(configuration.heartbeat == 5)
        #expect(configuration.user == "u")
    }

    @Test("URLs that disagree on credentials or virtual host, repeat an endpoint, or are none are refused")
    func refused() {
        for urls in [
            ["amqp://u:p@a/chat", "amqp://v:p@b/chat"], ["amqp://u:p@a/chat", "amqp://u:p@b/other"],
            ["amqp://u:p@a:5672/", "amqp://u:p@a/"], [],
        ] {
            #expect(throws: AMQPError.self, "\(urls)") { try AMQPConnection.Configuration(urls: urls) }
        }
    }

    @Test("a comma-separated list splits, blanks dropped")
    func split() {
        #expect(
            AMQPConnection.Configuration.splitURLList(" amqp://a/ ,, amqp://b/,") == ["amqp://a/", "amqp://b/"])
    }
}
