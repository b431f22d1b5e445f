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

    @Test("a WebSocket from a foreign origin is refused; the server's own origin is allowed")
    func originCheck() async throws {
        try await TestServer.with { port, _ in
            let foreign = try await HTTP.webSocketHandshakeStatus(port: port, path: "/ws", origin: "http://evil.example")
            #expect((400..<500).contains(foreign), "foreign origin refused, got \(foreign)")
            let sandboxed = try await HTTP.webSocketHandshakeStatus(port: port, path: "/ws", origin: "null")
            #expect((400..<500).contains(sandboxed), "null origin refused, got \(sandboxed)")
            let same = try await HTTP.webSocketHandshakeStatus(port: port, path: "/ws", origin: "http://127.0.0.1:\(port)")
            #expect(same == 101, "the server's own origin is allowed")
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
