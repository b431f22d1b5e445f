import ChatCore
import ChatServer
import Foundation
import TestSupport
import Testing

/// The bounds every chat transport shares, held on SockJS's transports: the 64 KiB frame limit
/// on its WebSockets, and the outbox of an HTTP session that lives between its requests.
@Suite("SockJS bounds", .timeLimit(.minutes(2)))
struct SockJSBoundsTests {
    @Test(
        "an oversize frame closes the session with 1009 on SockJS's WebSocket transports too",
        arguments: [SockJSChatClient.Transport.websocket, .rawWebSocket])
    func oversize(transport: SockJSChatClient.Transport) async throws {
        try await TestServer.with { port, _ in
            let client = try await SockJSChatClient.connect(port: port, transport: transport)
            try await client.hello("big")
            let huge = String(repeating: "x", count: 70 * 1024)
            try await client.sendRaw(#"{"type":"send","room":"lobby","text":"\#(huge)","cid":"c"}"#)
            let code = try await client.expectClose()
            #expect(code == 1009)
        }
    }

    @Test(
        "a polling client that stops collecting is closed with 1013 and counted; the session keeps its frames between requests"
    )
    func slowPollingClient() async throws {
        var configuration = ServerConfigurationFactory.make()
        configuration.outbox = .init(maxFrames: 4, maxBytes: 1 << 20)
        // The close frame waits for the next poll only as long as the session is kept: on a
        // loaded machine the default 5 s has passed before the last poll (which then opened a
        // new session).
        configuration.sockJSDisconnectDelay = .seconds(60)
        try await TestServer.with(configuration) { port, _ in
            let native = try await TestChatClient.connect(port: port, name: "native")
            try await native.hello("native")
            try await native.join("lobby")

            let path = "/sockjs/000/\(UUID().uuidString)"
            #expect(try await Self.poll(port: port, path: path).hasSuffix("o\n"))
            try await Self.xhrSend(port: port, path: path, frame: #"{"type":"hello","nick":"poller"}"#)
            // Collected by a later request: the frames waited in the session meanwhile.
            #expect(try await Self.poll(port: port, path: path).contains(#"\"type\":\"welcome\""#))
            try await Self.xhrSend(port: port, path: path, frame: #"{"type":"join","room":"lobby"}"#)
            _ = try await native.expect("presence", skipping: [])

            // The poller now holds `joined`; four messages overflow its outbox of four frames.
            for index in 0..<4 {
                try await native.send(["type": "send", "room": "lobby", "text": "m\(index)", "cid": "c\(index)"])
                _ = try await native.expect("ack", skipping: ["message", "presence"])
            }
            var dropped = 0.0
            for _ in 0..<100 where dropped < 1 {
                let metrics = try await HTTP.get(port: port, path: "/metrics").body
                dropped = ObservabilityTests.value(of: "rabbitchat_slow_consumers_dropped_total", in: metrics) ?? 0
                if dropped < 1 { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(dropped == 1)
            let closed = try await Self.poll(port: port, path: path)
            #expect(
                closed.hasSuffix(#"c[1013,"outbound queue overflow: the client reads too slowly"]"# + "\n"), "\(closed)"
            )
            await native.close()
        }
    }

    /// One `xhr` poll: the body of the answer.
    static func poll(port: Int, path: String) async throws -> String {
        try await HTTP.exchange(
            port: port,
            request:
                "POST \(path)/xhr HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
    }

    /// One `xhr_send` carrying one protocol v1 frame.
    static func xhrSend(port: Int, path: String, frame: String) async throws {
        let payload = String(decoding: try JSONSerialization.data(withJSONObject: [frame]), as: UTF8.self)
        let response = try await HTTP.exchange(
            port: port,
            request: "POST \(path)/xhr_send HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: text/plain\r\n"
                + "Content-Length: \(payload.utf8.count)\r\nConnection: close\r\n\r\n\(payload)")
        guard response.hasPrefix("HTTP/1.1 204") else {
            throw SockJSChatClient.Failure(description: "xhr_send: \(response)")
        }
    }
}
