import ChatServer
import Foundation
import ServiceLifecycle
import Testing

/// HTTP endpoints, origin checks and graceful shutdown of the real server.
@Suite("HTTP and lifecycle", .timeLimit(.minutes(2)))
struct LifecycleTests {
    @Test("healthz, rooms, the page and JSON 404s")
    func httpEndpoints() async throws {
        try await TestServer.with { port, _ in
            let health = try await HTTP.get(port: port, path: "/healthz")
            #expect(health.status == 200)
            #expect((health.json as? [String: Any])?["status"] as? String == "ok")
            let rooms = try await HTTP.get(port: port, path: "/api/rooms")
            #expect(rooms.status == 200)
            #expect((rooms.json as? [Any])?.isEmpty == true)
            let page = try await HTTP.get(port: port, path: "/")
            #expect(page.status == 200)
            #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(page.headers["content-security-policy"]?.contains("frame-ancestors 'none'") == true)
            #expect(page.headers["x-content-type-options"] == "nosniff")
            #expect(page.body.contains("/app.js"))
            let script = try await HTTP.get(port: port, path: "/app.js")
            #expect(script.status == 200)
            #expect(script.body.contains("textContent"))
            let missing = try await HTTP.get(port: port, path: "/no/such/thing")
            #expect(missing.status == 404)
            let error = (missing.json as? [String: Any])?["error"] as? [String: Any]
            #expect(error?["code"] as? String == "not_found")
        }
    }

    @Test("a WebSocket from a foreign origin is refused with a JSON 403; the server's own origin is allowed")
    func originCheck() async throws {
        var configuration = ServerConfigurationFactory.make()
        configuration.allowedOrigins = ["https://chat.example"]
        try await TestServer.with(configuration) { port, _ in
            for origin in ["http://evil.example", "null", "https://chat.example.evil"] {
                let refused = try await HTTP.webSocketHandshake(port: port, path: "/ws", origin: origin)
                #expect(refused.status == 403, "\(origin) refused, got \(refused.status)")
                #expect(refused.headers["content-type"]?.hasPrefix("application/json") == true)
                #expect(refused.headers["connection"] == "close")
                let error = (refused.json as? [String: Any])?["error"] as? [String: Any]
                #expect(error?["code"] as? String == "origin_not_allowed", "\(refused.body)")
                #expect((error?["message"] as? String)?.isEmpty == false)
            }
            // Two Origin headers, one foreign: refused.
            let twice = try await HTTP.exchange(
                port: port,
                request: "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Origin: http://127.0.0.1:\(port)\r\nOrigin: http://evil.example\r\n\r\n")
            #expect(twice.hasPrefix("HTTP/1.1 403"), "\(twice)")
            let same = try await HTTP.webSocketHandshake(port: port, path: "/ws", origin: "http://127.0.0.1:\(port)")
            #expect(same.status == 101, "the server's own origin is allowed")
            let listed = try await HTTP.webSocketHandshake(port: port, path: "/ws", origin: "https://chat.example")
            #expect(listed.status == 101, "an origin of --allowed-origin is allowed")
            let native = try await HTTP.webSocketHandshake(port: port, path: "/ws")
            #expect(native.status == 101, "a client without Origin (not a browser) is allowed")
            let own = try await TestChatClient.connect(port: port)
            try await own.hello("local")
            await own.close()
        }
    }

    @Test("graceful shutdown closes WebSockets with 1012")
    func gracefulShutdown() async throws {
        try await TestServer.with { port, group in
            let client = try await TestChatClient.connect(port: port)
            try await client.hello("leaver")
            await group.triggerGracefulShutdown()
            let code = try await client.expectClose()
            #expect(code == 1012)
        }
    }
}
