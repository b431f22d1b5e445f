import ChatCore
import ChatServer
import Testing

@Suite("ServerConfiguration: flags, environment, defaults")
struct ServerConfigurationTests {
    @Test("nothing given: the defaults of the types that own them")
    func defaults() throws {
        let configuration = try ServerConfiguration.resolve(flags: [:], environment: [:])
        #expect(configuration.port == 8080)
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.limits == ChatLimits())
        #expect(configuration.inbound == InboundLimits())
        #expect(configuration.amqpURLs.isEmpty)
        #expect(configuration.databaseURL == "rabbitchat.sqlite")
        #expect(!configuration.accounts.requireAuth)
    }

    @Test("a flag beats its environment variable, which beats the default")
    func precedence() throws {
        let environment = ["RABBITCHAT_PORT": "9000", "RABBITCHAT_RATE_LIMIT": "7.5", "RABBITCHAT_SEND_TIMEOUT": "2.5"]
        let fromEnvironment = try ServerConfiguration.resolve(flags: [:], environment: environment)
        #expect(fromEnvironment.port == 9000)
        #expect(fromEnvironment.inbound.connectionFramesPerSecond == 7.5)
        #expect(fromEnvironment.limits.sendTimeout == .milliseconds(2_500))

        let fromFlags = try ServerConfiguration.resolve(flags: ["port": "9100"], environment: environment)
        #expect(fromFlags.port == 9100)
        #expect(fromFlags.inbound.connectionFramesPerSecond == 7.5, "the variable still applies where no flag is given")
    }

    @Test("switches: a given flag, or the variable set to 1, true or yes")
    func switches() throws {
        #expect(try ServerConfiguration.resolve(flags: ["require-auth": "true"], environment: [:]).accounts.requireAuth)
        #expect(
            try ServerConfiguration.resolve(flags: [:], environment: ["RABBITCHAT_REQUIRE_AUTH": "yes"]).accounts
                .requireAuth)
        #expect(
            !(try ServerConfiguration.resolve(flags: [:], environment: ["RABBITCHAT_REQUIRE_AUTH": "0"]).accounts
                .requireAuth))
        #expect(
            try ServerConfiguration.resolve(flags: [:], environment: ["RABBITCHAT_SOCKJS_TEST_SERVICES": "1"])
                .sockJSTestServices)
    }

    @Test("durations, lists and optional values")
    func conversions() throws {
        let configuration = try ServerConfiguration.resolve(
            flags: [
                "hello-timeout": "0", "idle-timeout": "90", "presence-interval": "0.5", "websocket-ping-interval": "15",
                "allowed-origins": "https://a.example, https://b.example,", "websocket-send-buffer": "0",
                "sockjs-client-path": "",
            ],
            environment: [:])
        #expect(configuration.inbound.helloTimeout == .zero)
        #expect(configuration.inbound.idleTimeout == .seconds(90))
        #expect(configuration.presenceAnnounce == .milliseconds(500))
        #expect(configuration.webSocketPingInterval == .seconds(15))
        #expect(configuration.allowedOrigins == ["https://a.example", "https://b.example"])
        #expect(configuration.webSocketSendBufferBytes == nil)
        #expect(configuration.sockJSClientPath == nil)
    }

    @Test(
        "an unusable value names the flag or variable as given, and says what is allowed",
        arguments: [
            (["port": "70000"], [:], "--port: must be 0...65535, not 70000"),
            ([:], ["RABBITCHAT_PORT": "eighty"], "RABBITCHAT_PORT: must be an integer, not `eighty`"),
            (["rate-limit": "0"], [:], "--rate-limit: must be above 0 and at most 1000000, not 0"),
            (["send-timeout": "0.01"], [:], "--send-timeout: must be between 0.1 and 600, not 0.01"),
            (
                ["log-level": "loud"], [:],
                "--log-level: unknown log level `loud`; use trace, debug, info, notice, warning, error or critical"
            ),
            (["node-id": "no spaces"], [:], "--node-id: must be 1 to 32 characters of A-Z, a-z, 0-9, _ and -"),
            (
                ["amqp-url": "http://rabbit"], [:],
                "--amqp-url: must be amqp:// URLs, such as amqp://guest:guest@127.0.0.1:5672/, separated by commas"
            ),
            (
                ["websocket-send-buffer": "100"], [:],
                "--websocket-send-buffer: must be 0 or 4096...67108864 bytes, not `100`"
            ),
            (["outbox-max-bytes": "1024"], [:], "--outbox-max-bytes: must be 65536...1073741824, not 1024"),
        ] as [([String: String], [String: String], String)])
    func validation(flags: [String: String], environment: [String: String], expected: String) {
        #expect(throws: ConfigurationError.self) {
            _ = try ServerConfiguration.resolve(flags: flags, environment: environment)
        }
        do {
            _ = try ServerConfiguration.resolve(flags: flags, environment: environment)
        } catch {
            #expect(error.description == expected)
        }
    }

    @Test("the database URL is checked when the configuration is resolved, not when the store opens")
    func databaseURL() throws {
        #expect(
            try ServerConfiguration.resolve(flags: ["database-url": "memory:"], environment: [:]).databaseURL
                == "memory:")
        #expect(throws: ConfigurationError.self) {
            _ = try ServerConfiguration.resolve(flags: ["database-url": "mysql://nope"], environment: [:])
        }
    }

    @Test("every setting's help names its variable, and prints the default its owning type has")
    func help() throws {
        #expect(
            ServerSetting.rateLimit.help.hasSuffix(
                "[env: RABBITCHAT_RATE_LIMIT] (default: \(Int(InboundLimits().connectionFramesPerSecond)))"))
        #expect(ServerSetting.sendTimeout.help.hasSuffix("(default: \(ChatLimits().sendTimeout.secondsDescription))"))
        #expect(ServerSetting.requireAuth.help.hasSuffix("[env: RABBITCHAT_REQUIRE_AUTH=1]"))
        let flags = ServerSetting.all.map(\.flag)
        #expect(Set(flags).count == flags.count, "no flag is described twice")
        for setting in ServerSetting.all {
            #expect(setting.environment.hasPrefix("RABBITCHAT_"))
        }
    }
}
