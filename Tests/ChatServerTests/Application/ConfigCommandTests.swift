import ChatServer
import Foundation
import TestSupport
import Testing

/// `rabbitchat config check` and `serve --config`, on the built binary.
@Suite("rabbitchat config", .requires(.rabbitchat))
struct ConfigCommandTests {
    static func writeFile(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "rabbitchat-config-\(UUID().uuidString).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs the binary and returns its exit status and output.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestEnvironment.rabbitchatBinary)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test("serve --help offers every setting as a flag (a setting missing from Serve's options cannot be given)")
    func helpListsEverySetting() throws {
        let help = try Self.run(["serve", "--help"])
        #expect(help.status == 0)
        for setting in ServerSetting.all {
            #expect(help.output.contains("--\(setting.flag)"), "serve --help lacks --\(setting.flag)")
        }
    }

    @Test("config check accepts a good file, and names the bad key of a bad one with exit status 1")
    func check() throws {
        let good = try Self.writeFile("port: 8081\nrequire-auth: true\nallowed-origins: [https://chat.example]\n")
        defer { try? FileManager.default.removeItem(atPath: good) }
        let accepted = try Self.run(["config", "check", good])
        #expect(accepted.status == 0)
        #expect(accepted.output.contains("ok, 3 settings"))

        let typo = try Self.writeFile("port: 8081\nmax-text-lenght: 100\n")
        defer { try? FileManager.default.removeItem(atPath: typo) }
        let refused = try Self.run(["config", "check", typo])
        #expect(refused.status == 1)
        #expect(
            refused.output.contains("max-text-lenght: unknown setting; did you mean `max-text-length`?"),
            "\(refused.output)")

        let badValue = try Self.writeFile("send-timeout: 0\n")
        defer { try? FileManager.default.removeItem(atPath: badValue) }
        let invalid = try Self.run(["config", "check", badValue])
        #expect(invalid.status == 1)
        #expect(invalid.output.contains("send-timeout: must be between 0.1 and 600, not 0"), "\(invalid.output)")
    }

    @Test("serve --config applies the file below the flags")
    func serveWithFile() async throws {
        // The file asks for a text limit of 7 and a port the flag overrides (ServerProcess picks one).
        let path = try Self.writeFile("max-text-length: 7\ndatabase-url: \"memory:\"\nport: 1\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let server = try await ServerProcess.start(nodeID: "configfile", arguments: ["--config", path])
        defer { server.kill() }
        let client = try await TestChatClient.connect(port: server.port, name: "config")
        let welcome = try await client.hello("config")
        #expect((welcome["limits"] as? [String: Any])?["maxTextScalars"] as? Int == 7, "\(welcome)")
        #expect(server.log.contains("history and accounts in memory"), "\(server.log)")
    }
}
