extension SockJSServer {
    /// Tunables of one SockJS service, with the defaults of the SockJS protocol and sockjs-node.
    public struct Configuration: Sendable {
        /// How often an idle receiver gets an `h` frame, so proxies keep the connection open.
        public var heartbeatInterval: Duration = .seconds(25)
        /// How long a session lives without a receiving request before it is forgotten.
        public var disconnectDelay: Duration = .seconds(5)
        /// Bytes (framing included) after which a streaming response is ended, so the browser can
        /// free what it buffered; the client then reconnects with a new request.
        public var responseLimit: Int = 128 * 1024
        /// Whether the WebSocket transports are offered (`/info` says so; the routes 404 if not).
        public var webSocketEnabled = true
        /// Whether transports set a `JSESSIONID` cookie, for load balancers that need one to
        /// keep a session on one node (`/info` advertises it as `cookie_needed`).
        public var cookieNeeded = false
        /// The sockjs-client script the iframe page loads (iframe-based transports). It must be
        /// the same version as the page's own sockjs-client (the iframe refuses another), and a
        /// server-relative path keeps it on this server: no CDN to reach or to trust.
        public var sockJSClientURL = "/sockjs-client.min.js"
        /// Origins, besides the server's own, whose pages may frame `iframe.html` (the iframe
        /// transports of a page on another origin need it): listed in the page's CSP
        /// `frame-ancestors`; `"*"` allows any. Empty: only the same origin
        /// (`X-Frame-Options: SAMEORIGIN` as well). Entries that are not plain
        /// `scheme://host[:port]` origins are left out, so no entry can add a CSP directive.
        public var frameAncestors: [String] = []
        /// Largest request body (`xhr_send`, `jsonp_send`) or WebSocket message accepted, in bytes.
        public var maxPayloadBytes = 256 * 1024
        /// Bytes queued for a client that has not collected them before `send` waits.
        public var maxPendingBytes = 1024 * 1024
        /// Messages queued for a client before `send` waits.
        public var maxPendingMessages = 4_096
        /// Client messages held before the application reads them; senders wait beyond that.
        public var maxInboundMessages = 256
        /// Most sessions over HTTP transports at once; beyond it new sessions get 503.
        public var maxSessions = 10_000
        /// Decides whether a request with this `Origin` (nil when absent) sent to this `Host`
        /// may use a session transport; refused requests get 403. Allows everything by default.
        public var allowsOrigin: @Sendable (_ origin: String?, _ host: String?) -> Bool = { _, _ in true }

        public init() {}
    }
}
