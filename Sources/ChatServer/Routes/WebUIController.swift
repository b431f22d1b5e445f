import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Serves the browser client (`/`, `/app.js`, `/style.css`, …) from the target's resources.
///
/// The files are small and fixed, so they are read once at start-up and served from memory as
/// ``StaticAsset``s: ETag and `If-None-Match` (304), gzip for clients that accept it, and HEAD.
/// The client is native ES modules (docs/UI.md), so every `.js` file is fetched on its own and
/// revalidation keeps a reload to a handful of 304s.
struct WebUIController: Sendable {
    let assets: [String: StaticAsset]

    init() {
        var assets: [String: StaticAsset] = [:]
        let types = [
            "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8",
            "css": "text/css; charset=utf-8",
        ]
        if let directory = Bundle.module.url(forResource: "Public", withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        {
            for name in names {
                let ext = (name as NSString).pathExtension
                guard let type = types[ext],
                    let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path)
                else { continue }
                // `no-cache`: always revalidate, so a new server version is picked up at once.
                var headers: HTTPFields = [.contentType: type, .cacheControl: "no-cache"]
                if ext == "html" {
                    headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
                    headers[.xFrameOptions] = "DENY"
                }
                assets["/" + name] = StaticAsset(bytes: ByteBuffer(bytes: data), headers: headers)
            }
        }
        assets["/"] = assets["/index.html"]
        self.assets = assets
    }

    /// The UI's CSP (docs/SECURITY.md explains each directive): only our own files, no inline
    /// script or style, no plugins, no framing, no `<base>` tricks. `form-action 'self'` is for
    /// SockJS's jsonp-polling transport, which sends through a form posted to
    /// /sockjs/…/jsonp_send; the page itself has no form that submits. `blob:` images are the
    /// previews of attached files, fetched with the session's token (files.js).
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; object-src 'none'; connect-src 'self' ws: wss:; img-src 'self' data: blob:; "
        + "style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

    func register(on router: Router<some RequestContext>) {
        for (path, asset) in assets {
            asset.register(at: path, on: router)
        }
    }
}
