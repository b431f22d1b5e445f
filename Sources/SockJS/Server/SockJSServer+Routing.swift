import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import NIOCore

extension SockJSServer {
    /// Answers every request under the prefix. Never throws for protocol errors: the spec wants
    /// exact status codes and bodies, so responses are built here rather than by error middleware.
    func respond<Context: RequestContext & WebSocketRequestContext>(
        to request: Request, context: Context, prefix: String,
        framed: WebSocketUpgradeMiddleware<Context>, raw: WebSocketUpgradeMiddleware<Context>
    ) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix(prefix) else { return Self.plain(.notFound, "Not found.") }
        let route = SockJSRoute(path: path.dropFirst(prefix.count))
        switch (route, request.method) {
        case (.greeting, .get):
            // HTTP/1.0 clients asking for keep-alive are told it is granted (1.1 needs no header).
            let keepAlive = request.headers[values: .connection].contains { $0.lowercased() == "keep-alive" }
            return Self.plain(.ok, "Welcome to SockJS!\n", headers: keepAlive ? [.connection: "keep-alive"] : [:])
        case (.info, .get):
            return info(request)
        case (.info, .options):
            return preflight(request, methods: "OPTIONS, GET")
        case (.iframe, .get):
            return iframePage(request)
        case (.rawWebSocket, _):
            return try await webSocketHandshake(request, context: context, upgrade: raw)
        case (.session(_, let session, let endpoint), _):
            // Sending needs the session id, which only the page that opened the session knows, so
            // only the transports that open sessions check the origin. (Chromium sends
            // `Origin: null` with jsonp_send's form POST when the page's referrer policy is
            // no-referrer.)
            let sends = endpoint == .xhrSend || endpoint == .jsonpSend
            guard sends || originAllowed(request) else { return Self.plain(.forbidden, "Origin not allowed.") }
            return try await respond(
                to: request, context: context, session: String(session), endpoint: endpoint, framed: framed)
        default:
            return Self.plain(.notFound, "Not found.")
        }
    }

    private func respond<Context: RequestContext & WebSocketRequestContext>(
        to request: Request, context: Context, session: String, endpoint: SockJSRoute.Endpoint,
        framed: WebSocketUpgradeMiddleware<Context>
    ) async throws -> Response {
        if endpoint == .websocket {
            return try await webSocketHandshake(request, context: context, upgrade: framed)
        }
        if let cluster,
            let forwarded = await forwardIfRemote(request, session: session, endpoint: endpoint, cluster: cluster)
        {
            return forwarded
        }
        return await respondHTTP(to: request, session: session, endpoint: endpoint)
    }

    /// The HTTP transports of a session held (or about to be created) on this node.
    func respondHTTP(to request: Request, session: String, endpoint: SockJSRoute.Endpoint) async -> Response {
        switch (endpoint, request.method) {
        case (.websocket, _):
            return Self.plain(.notFound, "Not found.")
        case (.xhr, .post):
            return await poll(request, sessionID: session, transport: .xhrPolling, envelope: .xhr)
        case (.xhrStreaming, .post):
            return await stream(request, sessionID: session, transport: .xhrStreaming, envelope: .xhr)
        case (.xhrSend, .post), (.jsonpSend, .post):
            return await receive(request, sessionID: session, jsonp: endpoint == .jsonpSend)
        case (.xhr, .options), (.xhrStreaming, .options), (.xhrSend, .options):
            return preflight(request, methods: "OPTIONS, POST")
        case (.eventSource, .get):
            return await stream(request, sessionID: session, transport: .eventSource, envelope: .eventSource)
        case (.htmlFile, .get):
            switch callback(request) {
            case .success(let callback):
                return await stream(
                    request, sessionID: session, transport: .htmlFile, envelope: .htmlFile(callback: callback))
            case .failure(let error): return error.response
            }
        case (.jsonp, .get):
            switch callback(request) {
            case .success(let callback):
                return await poll(
                    request, sessionID: session, transport: .jsonpPolling, envelope: .jsonp(callback: callback))
            case .failure(let error): return error.response
            }
        case (.xhr, _), (.xhrStreaming, _), (.xhrSend, _), (.jsonpSend, _):
            return Self.methodNotAllowed(allow: "OPTIONS, POST")
        case (.eventSource, _), (.htmlFile, _), (.jsonp, _):
            return Self.methodNotAllowed(allow: "GET")
        }
    }

    // MARK: Static endpoints

    private func info(_ request: Request) -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=UTF-8"]
        SockJSHeaders.cors(for: request, into: &headers)
        SockJSHeaders.noCache(into: &headers)
        let body =
            "{\"websocket\":\(configuration.webSocketEnabled),\"cookie_needed\":\(configuration.cookieNeeded),"
            + "\"origins\":[\"*:*\"],\"entropy\":\(UInt32.random(in: .min ... .max))}"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// The answer to a CORS preflight: cacheable for a year, echoing the requested headers.
    private func preflight(_ request: Request, methods: String) -> Response {
        var headers: HTTPFields = [:]
        SockJSHeaders.cors(for: request, into: &headers)
        SockJSHeaders.cacheForever(into: &headers)
        headers[.accessControlMaxAge] = "\(SockJSHeaders.oneYear)"
        headers[.accessControlAllowMethods] = methods
        if let requested = request.headers[.accessControlRequestHeaders], !requested.isEmpty {
            headers[.accessControlAllowHeaders] = requested
        }
        SockJSHeaders.cookie(for: request, needed: configuration.cookieNeeded, into: &headers)
        return Response(status: .noContent, headers: headers)
    }

    private func iframePage(_ request: Request) -> Response {
        let page = Self.iframeHTML(clientURL: configuration.sockJSClientURL)
        let etag = "\"" + Self.fnv1a(page).map { String(format: "%02x", $0) }.joined() + "\""
        var headers: HTTPFields = [:]
        SockJSHeaders.cacheForever(into: &headers)
        headers[.eTag] = etag
        // The page exists to be framed by the page that loads sockjs-client.
        framingPolicy(into: &headers)
        if request.headers[values: .ifNoneMatch].contains(where: {
            $0.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == etag }
        }) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = "text/html; charset=UTF-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
    }

    /// Who may frame `iframe.html` and the `htmlfile` stream (framed by `iframe.html` in the
    /// iframe-htmlfile transport): the same origin and the configured ones. Browsers that know
    /// CSP obey `frame-ancestors` and ignore X-Frame-Options, which is sent only when it says the
    /// same thing (same origin only): Chromium applies `SAMEORIGIN` to every ancestor, so it
    /// would block the htmlfile stream inside another origin's page.
    func framingPolicy(into headers: inout HTTPFields) {
        let ancestors = Self.frameAncestorSources(configuration.frameAncestors)
        headers[.contentSecurityPolicy] = "frame-ancestors " + (["'self'"] + ancestors).joined(separator: " ")
        if ancestors.isEmpty { headers[.sockJSFrameOptions] = "SAMEORIGIN" }
    }

    /// The configured frame ancestors that are valid CSP source expressions: `*` or a
    /// `http(s)://host[:port]` origin; anything else (`null`, spaces, `;`) is dropped.
    static func frameAncestorSources(_ origins: [String]) -> [String] {
        if origins.contains("*") { return ["*"] }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-:[]")
        return origins.map { $0.lowercased() }.filter { origin in
            for scheme in ["http://", "https://"] where origin.hasPrefix(scheme) {
                let authority = origin.dropFirst(scheme.count)
                return !authority.isEmpty && authority.allSatisfy { allowed.contains($0) }
            }
            return false
        }
    }

    static func iframeHTML(clientURL: String) -> String {
        let escaped = clientURL.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(
            of: "\"", with: "&quot;"
        )
        .replacingOccurrences(of: "<", with: "&lt;")
        return """
            <!DOCTYPE html>
            <html>
            <head>
              <meta http-equiv="X-UA-Compatible" content="IE=edge" />
              <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
              <script src="\(escaped)"></script>
              <script>
                document.domain = document.domain;
                SockJS.bootstrap_iframe();
              </script>
            </head>
            <body>
              <h2>Don't panic!</h2>
              <p>This is a SockJS hidden iframe. It's used for cross domain magic.</p>
            </body>
            </html>
            """
    }

    /// A stable 64-bit FNV-1a hash, enough for an ETag of a page that changes only with the
    /// configured client URL.
    static func fnv1a(_ text: String) -> [UInt8] {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return withUnsafeBytes(of: hash.bigEndian) { Array($0) }
    }

    // MARK: Helpers

    func originAllowed(_ request: Request) -> Bool {
        let origins = request.headers[values: .origin]
        let host = request.head.authority
        if origins.isEmpty { return configuration.allowsOrigin(nil, host) }
        return origins.allSatisfy { configuration.allowsOrigin($0, host) }
    }

    /// The validated `c` (callback) query parameter, or the 500 the spec asks for.
    func callback(_ request: Request) -> Result<String, CallbackError> {
        guard let callback = request.uri.queryParameters["c"], !callback.isEmpty else {
            return .failure(
                CallbackError(response: Self.plain(.internalServerError, "\"callback\" parameter required")))
        }
        guard TransportEnvelope.isValidCallback(callback) else {
            return .failure(CallbackError(response: Self.plain(.internalServerError, "invalid \"callback\" parameter")))
        }
        return .success(String(callback))
    }

    struct CallbackError: Error {
        let response: Response
    }

    static func plain(_ status: HTTPResponse.Status, _ text: String, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "text/plain; charset=UTF-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func methodNotAllowed(allow: String) -> Response {
        Response(status: .methodNotAllowed, headers: [.allow: allow])
    }
}
