import Foundation
import Testing

/// The server's logs at the most verbose level carry session ids but never tokens, passwords
/// or message bodies.
@Suite("Log hygiene", .serialized, .timeLimit(.minutes(2)))
struct LogHygieneTests {
    @Test("trace logs after sign-in, chat, refusals and a flood hold no token, password or text")
    func noSecretsInLogs() async throws {
        let server = try await ServerProcess.start(
            nodeID: "logs",
            arguments: [
                "--database-url", "sqlite://" + NSTemporaryDirectory() + "rabbitchat-logs-\(UUID().uuidString).sqlite",
                "--log-level", "trace", "--rate-limit-burst", "20",
            ])
        defer { server.kill() }
        let password = "pw-\(UUID().uuidString)"
        let token = try await AccountTestClient.register(port: server.port, "logger", password: password)
        let secret = "body-\(UUID().uuidString)"

        let client = try await TestChatClient.connect(port: server.port, name: "logger")
        try await client.hello(token: token)
        try await client.join("lobby")
        try await client.send(["type": "send", "room": "lobby", "text": secret, "cid": "c1"])
        _ = try await client.expect("ack", skipping: ["presence", "message"])
        try await client.send(["type": "send", "room": "nowhere", "text": secret, "cid": "c2"])
        _ = try await client.expect("error", skipping: ["presence", "message"])
        try await client.sendRaw(#"{"type":"send","text":"\#(secret)""#)
        _ = try await client.expect("error", skipping: ["presence", "message"])
        // The body first: a frame dump would show its first bytes.
        try await client.sendRaw(#"{"text":"\#(secret)","type":"send","room":"lobby","cid":"c3"}"#)
        _ = try await client.expect("ack", skipping: ["presence", "message"])
        let second = try await TestChatClient.connect(port: server.port, name: "wrong-token")
        try await second.send(["type": "hello", "token": token + "x"])
        _ = try await second.expect("error")
        // A flood, so the rate limiter logs its close too.
        for _ in 0..<300 {
            do { try await second.sendRaw(#"{"type":"ping","id":"\#(secret)"}"#) } catch { break }
        }
        _ = try await second.expectClose(timeout: .seconds(30))
        await client.close()
        #expect(await server.terminate() == 0)

        let log = server.log
        #expect(log.contains("session="), "log lines carry session ids")
        #expect(!log.contains(token), "a token appeared in the log")
        #expect(!log.contains(String(token.prefix(16))), "part of a token appeared in the log")
        #expect(!log.contains(password), "a password appeared in the log")
        #expect(!log.contains(secret), "a message body appeared in the log")
        let hex = secret.utf8.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
        #expect(!log.contains(hex), "a message body appeared in the log as hex (a frame dump)")
    }
}
