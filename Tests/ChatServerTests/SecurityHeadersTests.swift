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
                    == "default-src 'self'; script-src 'self'; object-src 'none'; connect-src 'self' ws: wss:; img-src 'self' data: blob:; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
            )
            #expect(!csp.contains("unsafe"))
        }
    }

    @Test(
        "every response, JSON errors and /metrics included, gets nosniff, no-referrer and DENY",
        arguments: [
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

    @Test("iframe.html and the htmlfile stream may be framed by the same origin only, by default")
    func sockJSFramingDefault() async throws {
        var configuration = ServerConfigurationFactory.make()
        configuration.sockJSTestServices = true
        try await TestServer.with(configuration) { port, _ in
            for path in ["/sockjs/iframe.html", "/echo/iframe.html"] {
                let page = try await HTTP.get(port: port, path: path)
                #expect(page.status == 200)
                #expect(page.headers["content-security-policy"] == "frame-ancestors 'self'", "\(path)")
                #expect(page.headers["x-frame-options"] == "SAMEORIGIN", "\(path)")
                #expect(page.body.contains("src=\"/sockjs-client.min.js\""), "\(path)")
            }
        }
    }

    @Test("the allowed origins may frame iframe.html and the htmlfile stream; the UI still may not be framed")
    func sockJSFramingAllowedOrigins() async throws {
        var configuration = ServerConfigurationFactory.make()
        configuration.sockJSTestServices = true
        // The `;` entry must not be able to add a CSP directive.
        configuration.allowedOrigins = [
            "https://chat.example", "http://127.0.0.2:8080", "null", "https://x.example; script-src *",
        ]
        try await TestServer.with(configuration) { port, _ in
            for path in ["/sockjs/iframe.html", "/echo/iframe.html", "/close/000/framing/htmlfile?c=cb"] {
                let response = try await HTTP.get(port: port, path: path)
                #expect(
                    response.headers["content-security-policy"]
                        == "frame-ancestors 'self' https://chat.example http://127.0.0.2:8080", "\(path)")
                #expect(response.headers["x-frame-options"] == nil, "\(path)")
            }
            let page = try await HTTP.get(port: port, path: "/")
            #expect(page.headers["x-frame-options"] == "DENY")
            #expect(page.headers["content-security-policy"]?.contains("frame-ancestors 'none'") == true)
        }
    }
}
