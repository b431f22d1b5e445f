import ChatCore
import ChatServer
import Foundation
import Testing

@Suite("Configuration file")
struct ConfigurationFileTests {
    @Test("keys named like the flags; lists and booleans become what the flag would carry")
    func parses() throws {
        let file = try ConfigurationFile.parse(
            """
            port: 9090
            rate-limit: 12.5
            require-auth: true
            allowed-origins: [https://a.example, https://b.example]
            database-url: "memory:"
            """, path: "rabbitchat.yaml")
        let configuration = try ServerConfiguration.resolve(flags: [:], environment: [:], file: file)
        #expect(configuration.port == 9090)
        #expect(configuration.inbound.connectionFramesPerSecond == 12.5)
        #expect(configuration.accounts.requireAuth)
        #expect(configuration.allowedOrigins == ["https://a.example", "https://b.example"])
        #expect(configuration.databaseURL == "memory:")
    }

    @Test("flags beat the environment, which beats the file, which beats the default")
    func precedence() throws {
        let file = try ConfigurationFile.parse("port: 9001\nhost: 0.0.0.0\nmax-text-length: 100\n", path: "f.yaml")
        let configuration = try ServerConfiguration.resolve(
            flags: ["port": "9003"], environment: ["RABBITCHAT_PORT": "9002", "RABBITCHAT_HOST": "::1"], file: file)
        #expect(configuration.port == 9003)
        #expect(configuration.host == "::1")
        #expect(configuration.limits.maxTextScalars == 100)
    }

    @Test("an unknown key is refused with its name and the nearest setting")
    func unknownKey() {
        #expect(
            throws: ConfigurationError(
                setting: "f.yaml: rate-limt", problem: "unknown setting; did you mean `rate-limit`?")
        ) {
            _ = try ConfigurationFile.parse("port: 1\nrate-limt: 3\n", path: "f.yaml")
        }
    }

    @Test("a bad value names the file and key")
    func badValue() throws {
        let file = try ConfigurationFile.parse("port: eighty\n", path: "f.yaml")
        #expect(throws: ConfigurationError(setting: "f.yaml: port", problem: "must be an integer, not `eighty`")) {
            _ = try ServerConfiguration.resolve(flags: [:], environment: [:], file: file)
        }
    }

    @Test("not a mapping, nested values and broken YAML are refused; an empty file is no settings")
    func shapes() throws {
        #expect(throws: ConfigurationError.self) { _ = try ConfigurationFile.parse("- port\n", path: "f.yaml") }
        #expect(throws: ConfigurationError.self) { _ = try ConfigurationFile.parse("port: {a: 1}\n", path: "f.yaml") }
        #expect(throws: ConfigurationError.self) { _ = try ConfigurationFile.parse("port: [1, [2]]\n", path: "f.yaml") }
        #expect(throws: ConfigurationError.self) {
            _ = try ConfigurationFile.parse("port: 'unterminated\n", path: "f.yaml")
        }
        #expect(try ConfigurationFile.parse("", path: "f.yaml").values.isEmpty)
    }

    @Test("a file that is not there is named in the error")
    func missingFile() {
        #expect(throws: ConfigurationError.self) {
            _ = try ConfigurationFile.load(path: "/nonexistent/rabbitchat.yaml")
        }
    }
}
