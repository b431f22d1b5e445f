import AMQP
import NIOCore
import Testing

/// URLs parse the way other AMQP clients parse them.
@Suite("Configuration")
struct ConfigurationTests {
    @Test("a full URL")
    func full() throws {
        let configuration = try AMQPConnection.Configuration(
            url: "amqp://alice:s%40cret@broker.local:5673/chat?heartbeat=5&frame_max=8192&channel_max=10")
        #expect(configuration.user == "alice")
        #expect(configuration.password == "s@cret")
        #expect(configuration.host == "broker.local")
        #expect(configuration.port == 5673)
        #expect(configuration.virtualHost == "chat")
        #expect(configuration.heartbeat == 5)
        #expect(configuration.frameMax == 8192)
        #expect(configuration.channelMax == 10)
    }

    @Test(
        "empty path is the default vhost; %2f is /",
        arguments: [
            ("amqp://guest:guest@127.0.0.1:5672", "/"),
            ("amqp://guest:guest@127.0.0.1:5672/", "/"),
            ("amqp://guest:guest@127.0.0.1:5672/%2f", "/"),
            ("amqp://guest:guest@127.0.0.1:5672/%2Fchat", "/chat"),
            ("amqp://h/v%20h", "v h"),
        ])
    func virtualHosts(url: String, expected: String) throws {
        #expect(try AMQPConnection.Configuration(url: url).virtualHost == expected)
    }

    @Test("defaults for missing parts, IPv6 hosts")
    func defaults() throws {
        let plain = try AMQPConnection.Configuration(url: "amqp://")
        #expect(plain.host == "127.0.0.1" && plain.port == 5672 && plain.user == "guest")
        let ipv6 = try AMQPConnection.Configuration(url: "amqp://u:p@[::1]:5999/")
        #expect(ipv6.host == "::1" && ipv6.port == 5999)
    }

    @Test(
        "invalid URLs are invalidConfiguration",
        arguments: [
            "http://host/", "amqps://host/", "amqp://host:notaport/", "amqp://host/%zz", "amqp://host/?heartbeat=x",
        ])
    func invalid(url: String) {
        do {
            _ = try AMQPConnection.Configuration(url: url)
            Issue.record("accepted \(url)")
        } catch let error as AMQPError {
            #expect(error.code == .invalidConfiguration)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("backoff grows exponentially, is capped, and jitters")
    func backoff() {
        let policy = AMQPConnection.Configuration.Recovery(
            initialBackoff: .milliseconds(100), maximumBackoff: .seconds(2))
        for _ in 0..<50 {
            let first = policy.backoff(attempt: 1)
            #expect(first >= .milliseconds(50) && first <= .milliseconds(150))
            let fourth = policy.backoff(attempt: 4)
            #expect(fourth >= .milliseconds(400) && fourth <= .milliseconds(1200))
            #expect(policy.backoff(attempt: 40) <= .seconds(2))
        }
    }
}
