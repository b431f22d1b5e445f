import ChatCore
import ChatServer
import Foundation
import TestSupport
import Testing

/// Rate limits, room and connection limits, and the hello and idle timeouts, over real sockets.
@Suite("Inbound limits", .timeLimit(.minutes(2)))
struct InboundLimitsTests {
    /// A configuration whose buckets barely refill, so what a test sees does not depend on how
    /// fast the loaded machine sends.
    static func strict(burst: Int = 5, closeAfter: Int = 3) -> ServerConfiguration {
        var configuration = ServerConfigurationFactory.make()
        configuration.inbound.connectionFramesPerSecond = 0.001
        configuration.inbound.connectionBurst = burst
        configuration.inbound.refusalsBeforeClose = closeAfter
        // The floods say no hello: on a loaded machine the SockJS one has outlasted the 10 s
        // hello timeout (closed 4001 instead of 1008). The timeouts have their own tests here.
        configuration.inbound.helloTimeout = .zero
        return configuration
    }

    @Test("/ws: the burst passes, the excess gets rate_limited, a flood is closed with 1008")
    func webSocketFlood() async throws {
        try await TestServer.with(Self.strict()) { port, _ in
            let client = try await TestChatClient.connect(port: port, name: "flooder")
            for index in 0..<5 {
                try await client.send(["type": "ping", "id": "p\(index)"])
                #expect(try await client.expect("pong").string("id") == "p\(index)")
            }
            try await client.send(["type": "ping", "id": "over"])
            let refused = try await client.expect("error")
            #expect(refused.string("code") == "rate_limited")
            #expect(refused.string("message")?.contains("per second") == true)
            // Keep flooding: the refusal allowance (3, refilled at 1/s) runs out. Bounded: a send
            // fails once the server closed the socket.
            for _ in 0..<200 {
                do { try await client.sendRaw(#"{"type":"ping"}"#) } catch { break }
            }
            #expect(try await client.expectClose(timeout: .seconds(30)) == 1008)
        }
    }

    @Test("SockJS: the same rate limit and 1008, transport-agnostic", arguments: SockJSChatClient.Transport.allCases)
    func sockJSFlood(transport: SockJSChatClient.Transport) async throws {
        try await TestServer.with(Self.strict()) { port, _ in
            let client = try await SockJSChatClient.connect(port: port, transport: transport)
            for _ in 0..<5 {
                _ = try await client.expect("pong", after: ["type": "ping"])
            }
            let refused = try await client.expect("error", after: ["type": "ping"])
            #expect(refused["code"] as? String == "rate_limited")
            // Each frame of an HTTP transport is a request: on a loaded machine 200 of them can
            // take long enough for the refusal allowance to refill. Flood until the server closes.
            var sent = 0
            var stoppedBy: (any Error)?
            for _ in 0..<5_000 {
                do { try await client.sendRaw(#"{"type":"ping"}"#) } catch {
                    stoppedBy = error
                    break
                }
                sent += 1
            }
            let code = try await client.expectClose()
            #expect(
                code == 1008,
                "closed with \(code.map(String.init) ?? "no code") after \(sent) frames; the flood stopped on \(stoppedBy.map { "\($0)" } ?? "nothing")"
            )
        }
    }

    @Test("a session in the most rooms allowed gets too_many_rooms and stays usable")
    func maxRooms() async throws {
        var configuration = ServerConfigurationFactory.make()
        configuration.limits.maxRoomsPerSession = 2
        try await TestServer.with(configuration) { port, _ in
            let client = try await TestChatClient.connect(port: port)
            try await client.hello("roomy")
            try await client.join("one")
            try await client.join("two")
            try await client.send(["type": "join", "room": "three"])
            let refused = try await client.expect("error")
            #expect(refused.string("code") == "too_many_rooms")
            #expect(refused.string("message") == "a session may be in at most 2 rooms")
            try await client.send(["type": "leave", "room": "one"])
            _ = try await client.expect("left")
            try await client.join("three")
            await client.close()
        }
    }

    @Test("connections per IP: one more handshake is refused; a freed slot is reusable")
    func connectionsPerIP() async throws {
        var configuration = ServerConfigurationFactory.make()
        configuration.maxConnectionsPerIP = 2
        try await TestServer.with(configuration) { port, _ in
            let first = try await TestChatClient.connect(port: port, name: "first")
            let second = try await TestChatClient.connect(port: port, name: "second")
            _ = try await first.sync()
            _ = try await second.sync()
            let refused = try await HTTP.webSocketHandshake(port: port, path: "/ws")
            #expect(refused.status == 429)
            let error = (refused.json as? [String: Any])?["error"] as? [String: Any]
            #expect(error?["code"] as? String == "too_many_connections", "\(refused.body)")
            // The limit counts /ws connections only: SockJS's WebSocket is still served.
            let sockJS = try await HTTP.webSocketHandshake(port: port, path: "/sockjs/000/limit/websocket")
            #expect(sockJS.status == 101)
            await first.close()
            // The slot is released when the server side of the connection ends: retry, bounded.
            var status = 0
            for _ in 0..<300 {
                status = try await HTTP.webSocketHandshake(port: port, path: "/ws").status
                if status == 101 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(status == 101)
            await second.close()
        }
    }

    @Test(
        "rabbitchat serve's size limits are configurable: frame bytes (1009), text length, presence detail",
        .requires(.rabbitchat)
    )
    func configuredSizeLimits() async throws {
        let server = try await ServerProcess.start(
            nodeID: "limits",
            arguments: [
                "--database-url", "memory:", "--max-frame-bytes", "2048", "--max-text-length", "10",
                "--presence-detail-limit", "1",
            ])
        defer { server.kill() }
        let client = try await TestChatClient.connect(port: server.port, name: "sizes")
        let welcome = try await client.hello("sizes")
        let limits = welcome["limits"] as? [String: Any]
        #expect(limits?["maxFrameBytes"] as? Int == 2048, "the welcome frame tells clients: \(welcome)")
        #expect(limits?["maxTextScalars"] as? Int == 10)
        try await client.join("lobby")
        try await ProtocolErrorTests.expectError(
            client, raw: #"{"type":"send","room":"lobby","text":"01234567890","cid":"long"}"#, code: "text_too_long",
            mentioning: "10", cid: "long")
        try await client.send(["type": "send", "room": "lobby", "text": "0123456789", "cid": "fits"])
        #expect(try await client.expect("ack", skipping: ["message", "presence"]).string("cid") == "fits")
        // A second member makes the room "large" at --presence-detail-limit 1: a count, no names.
        let other = try await TestChatClient.connect(port: server.port, name: "other")
        try await other.hello("other")
        try await other.join("lobby")
        var presence: TestChatClient.Frame
        repeat {
            presence = try await client.expect("presence", skipping: ["message"], timeout: .seconds(30))
        } while presence.int("online") != 2
        #expect(presence.string("event") == "count", "\(presence)")
        #expect(presence.string("user") == nil)
        // One byte over --max-frame-bytes closes the connection with 1009.
        try await client.sendRaw(#"{"type":"send","room":"lobby","text":"\#(String(repeating: "x", count: 2048))"}"#)
        #expect(try await client.expectClose() == 1009)
        await other.close()
        #expect(await server.terminate() == 0)
    }

    @Test("no hello within the hello timeout closes with 4001")
    func helloTimeout() async throws {
        var configuration = ServerConfigurationFactory.make()
        configuration.inbound.helloTimeout = .seconds(1)
        try await TestServer.with(configuration) { port, _ in
            let client = try await TestChatClient.connect(port: port, name: "mute")
            #expect(try await client.expectClose(timeout: .seconds(30)) == 4001)
        }
    }

    @Test("no frame within the idle timeout closes with 4002; pings keep a session alive")
    func idleTimeout() async throws {
        var configuration = ServerConfigurationFactory.make()
        configuration.inbound.idleTimeout = .seconds(2)
        try await TestServer.with(configuration) { port, _ in
            let idle = try await TestChatClient.connect(port: port, name: "idle")
            try await idle.hello("idle")
            #expect(try await idle.expectClose(timeout: .seconds(30)) == 4002)
        }
    }
}
