import Foundation
import Testing

/// Messages with `</script>`, `%`, U+2028/U+2029, a lone surrogate, quotes and backslashes arrive
/// intact on every transport, and none of them can end the htmlfile script block.
@Suite("SockJS escaping on every transport", .timeLimit(.minutes(2)))
struct EscapingTests {
    /// What the client sends: a JSON array with one tricky string (the surrogate as an escape,
    /// as browsers' JSON.stringify writes it).
    static let payload = #"["</script><script>alert(1)%41\u2028\u2029\ud800\"\\ é"]"#
    /// The array element the server must write back (SockJS escaping: separators and
    /// surrogates as lowercase \u escapes, everything else literal).
    static let element = #""</script><script>alert(1)%41\u2028\u2029\ud800\"\\ é""#
    static let frame = "a[\(element)]"

    /// The frame as a JavaScript string literal safe inside HTML (htmlfile, jsonp).
    static var scriptLiteral: String {
        "\""
            + frame.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "<", with: "\\u003c").replacingOccurrences(of: ">", with: "\\u003e")
            .replacingOccurrences(of: "&", with: "\\u0026") + "\""
    }

    @Test("polling transports: xhr and jsonp")
    func polling() async throws {
        try await SockJSTestServer.with { (port: Int) async throws in
            let url = TransportTests.sessionURL()
            #expect(try await TransportTests.postBody(port, url + "/xhr") == "o\n")
            #expect(try await TransportTests.postStatus(port, url + "/xhr_send", body: Self.payload) == 204)
            #expect(try await TransportTests.postBody(port, url + "/xhr") == Self.frame + "\n")

            let jsonp = TransportTests.sessionURL()
            _ = try await TransportTests.get(port, jsonp + "/jsonp?c=cb")
            #expect(try await TransportTests.postBody(port, jsonp + "/jsonp_send", body: Self.payload) == "ok")
            let body = try await TransportTests.getBody(port, jsonp + "/jsonp?c=cb")
            #expect(body == "/**/cb(\(Self.scriptLiteral));\r\n")
        }
    }

    @Test("streaming transports: xhr_streaming, eventsource and htmlfile")
    func streaming() async throws {
        try await SockJSTestServer.with { (port: Int) async throws in
            let cases: [(String, String, String, String)] = [
                ("POST", "/xhr_streaming", Self.frame + "\n", "o\n"),
                // sockjs-client decodeURI()s EventSource data: % travels as %25.
                (
                    "GET", "/eventsource", "data: \(Self.frame.replacingOccurrences(of: "%", with: "%25"))\r\n\r\n",
                    "data: o\r\n\r\n"
                ),
                (
                    "GET", "/htmlfile?c=cb", "<script>\np(\(Self.scriptLiteral));\n</script>\r\n",
                    "<script>\np(\"o\");\n</script>\r\n"
                ),
            ]
            for (method, endpoint, expected, open) in cases {
                let url = TransportTests.sessionURL()
                let stream = try await RawHTTPConnection.open(port: port)
                defer { stream.close() }
                try await stream.send(method, url + endpoint)
                _ = try await stream.readHead()
                _ = try await stream.readChunk()  // prelude
                #expect(try await stream.readChunk() == open)
                #expect(try await TransportTests.postStatus(port, url + "/xhr_send", body: Self.payload) == 204)
                let chunk = try #require(try await stream.readChunk())
                #expect(chunk == expected, "\(endpoint)")
                if endpoint.hasPrefix("/htmlfile") {
                    #expect(
                        chunk.components(separatedBy: "</script>").count == 2, "only the envelope closes the script")
                }
            }
        }
    }

    @Test("websocket transport")
    func webSocket() async throws {
        try await SockJSTestServer.with { (port: Int) async throws in
            let result = try await WebSocketProbe.run(
                port: port, path: TransportTests.sessionURL() + "/websocket", send: [Self.payload], until: 2)
            #expect(result.frames == ["o", Self.frame])
        }
    }
}
