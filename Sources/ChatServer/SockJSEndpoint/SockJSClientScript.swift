import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Serves sockjs-client's minified script at `/sockjs-client.min.js` from the installed path
/// (Debian's `node-sockjs-client` by default), so the web UI needs no CDN.
///
/// The file is read once at start-up and served as a ``StaticAsset`` (ETag, 304, gzip, HEAD).
/// The web UI loads it only when a SockJS transport is chosen. When it is absent the route
/// answers a JSON 404, which the web UI takes as "use the native WebSocket".
struct SockJSClientScript: Sendable {
    let script: StaticAsset?
    let path: String?

    init(path: String?) {
        self.path = path
        self.script = path.flatMap { FileManager.default.contents(atPath: $0) }.map { data in
            StaticAsset(
                bytes: ByteBuffer(bytes: data),
                headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "public, max-age=3600"])
        }
    }

    func register(on router: Router<some RequestContext>) {
        if let script {
            script.register(at: "/sockjs-client.min.js", on: router)
        } else {
            router.get("/sockjs-client.min.js") { _, _ -> Response in
                throw HTTPError(.notFound, message: "sockjs-client is not installed on this server")
            }
        }
    }
}
