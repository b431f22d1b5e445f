import ChatServer
import Testing

/// The security headers, over real HTTP: the UI's exact CSP and the headers every response gets.
@Suite("Security headers", .timeLimit(.minutes(1)))
struct SecurityHeadersTests {
    @Test("the page carries the exact, tight CSP; no inline script, no plugins, no framing")
    func pageCSP() async throws {
        try await TestServer.with(ServerConfigurationFactory.make()) { port, _ in
            let page = try await HTTP.get(port: port, path: "/")
            let csp = try #require(page.headers["content-security-policy"])
            #expect(
                csp
                    == "default-src 'self'; script-src 'self'; object-src 'none'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
            )
            #expect(!csp.contains("unsafe"))
        }
    }

    @Test("every response, JSON errors and /metrics included, gets nosniff, no-referrer and DENY", arguments: [
        "/", "/healthz", "/readyz", "/metrics", "/api/rooms", "/no/such/thing",
    ])
    func everyResponse(path: String) async throws {
        try await TestServer.with(ServerConfigurationFactory.make()) { port, _ in
            let response = try await HTTP.get(port: port, path: path)
            #expect(response.headers["x-content-type-options"] == "nosniff")
            #expect(response.headers["referrer-policy"] == "no-referrer")
            #expect(response.headers["x-frame-options"] == "DENY")
        }
    }
}
