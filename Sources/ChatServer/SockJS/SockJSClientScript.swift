import Foundation
import Hummingbird
import NIOCore

/// Serves sockjs-client's minified script at `/sockjs-client.min.js` from the installed path
/// (Debian's `node-sockjs-client` by default), so the web UI needs no CDN.
///
/// The file is read once at start-up. When it is absent the route answers a JSON 404, which the
/// web UI takes as "use the native WebSocket".
struct SockJSClientScript: Sendable {
    let script: ByteBuffer?
    let path: String?

    init(path: String?) {
        self.path = path
        self.script = path.flatMap { FileManager.default.contents(atPath: $0) }.map { ByteBuffer(bytes: $0) }
    }

    func register(on router: Router<some RequestContext>) {
        router.get("/sockjs-client.min.js") { _, _ -> Response in
            guard let script else {
                throw HTTPError(.notFound, message: "sockjs-client is not installed on this server")
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "public, max-age=3600"],
                body: .init(byteBuffer: script))
        }
    }
}
