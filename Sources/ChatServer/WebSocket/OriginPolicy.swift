/// Decides whether a browser page at `Origin` may open a chat WebSocket.
///
/// Browsers send cookies and credentials on cross-site WebSocket handshakes, so without this
/// check any web page could act as its visitor (cross-site WebSocket hijacking). The server's own
/// origin is always allowed; others only when configured. Browsers only ever send `http(s)://…`
/// origins or `null`; a missing `Origin`, or one with another scheme (native clients send
/// `ws://host`), comes from a non-browser client, which holds no browser credentials to abuse
/// and is allowed. `null` (sandboxed frames, `file:` pages) is refused unless listed.
struct OriginPolicy: Sendable {
    let allowed: Set<String>
    let allowAny: Bool

    init(allowed: [String]) {
        self.allowed = Set(allowed.map { $0.lowercased() })
        self.allowAny = allowed.contains("*")
    }

    /// Whether a handshake with `origin` addressed to `host` (the `Host` header) is allowed.
    func allows(origin: String?, host: String?) -> Bool {
        guard let origin = origin?.lowercased() else { return true }
        if allowAny || allowed.contains(origin) { return true }
        let isBrowserOrigin = origin == "null" || origin.hasPrefix("http://") || origin.hasPrefix("https://")
        if !isBrowserOrigin { return true }
        guard let host = host?.lowercased() else { return false }
        // Same origin: the Origin's authority equals the Host the browser connected to.
        for scheme in ["http://", "https://"] where origin.hasPrefix(scheme) {
            if origin.dropFirst(scheme.count) == host[...] { return true }
        }
        return false
    }
}
