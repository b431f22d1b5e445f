import CompressNIO
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// One static file served from memory: its bytes, a gzip copy when that is smaller, and an
/// ETag for each.
///
/// The web client's files are fixed for the life of the process, so the work is done once, at
/// start-up: a request only compares validators and picks a buffer. Browsers revalidate
/// (`Cache-Control: no-cache`) with `If-None-Match` and get an empty `304 Not Modified` when the
/// file did not change, so a reload costs a few hundred bytes instead of the whole client.
struct StaticAsset: Sendable {
    /// The file as it is on disk.
    let identity: ByteBuffer
    /// The file compressed with gzip, or nil when compression would not make it smaller.
    let gzipped: ByteBuffer?
    /// A strong validator of `identity`: the start of its SHA-256, in hex, quoted.
    let etag: String
    /// The validator of `gzipped`: a different representation needs a different strong ETag.
    let gzipETag: String
    /// `Content-Type`, `Cache-Control` and any header the file needs (the page's CSP).
    let headers: HTTPFields

    /// - Parameters:
    ///   - bytes: the file's contents.
    ///   - headers: the headers every answer for the file carries, `Content-Type` included.
    init(bytes: ByteBuffer, headers: HTTPFields) {
        self.identity = bytes
        let digest = SHA256.hash(data: Array(bytes.readableBytesView))
        let hex = digest.prefix(12).map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
        self.etag = "\"\(hex)\""
        self.gzipETag = "\"\(hex)-gzip\""
        var source = bytes
        let compressed = try? source.compress(with: .gzip(configuration: .init(compressionLevel: .bestCompression)))
        self.gzipped = compressed.flatMap { $0.readableBytes < bytes.readableBytes ? $0 : nil }
        self.headers = headers
    }

    /// The answer to a GET or HEAD of the file: a 304 when `If-None-Match` names the file's
    /// current version, otherwise the file, gzipped when the client accepts gzip. A HEAD gets the
    /// same status and headers as a GET, `Content-Length` included, without the body.
    func response(to request: Request) -> Response {
        let gzip = gzipped != nil && Self.acceptsGzip(request.headers[values: .acceptEncoding])
        var headers = self.headers
        headers[.eTag] = gzip ? gzipETag : etag
        headers[.vary] = "Accept-Encoding"
        let body = gzip ? gzipped! : identity
        if gzip { headers[.contentEncoding] = "gzip" }
        // Also on a 304, where it must be the 200's length if it is sent at all (RFC 9110 §8.6).
        headers[.contentLength] = String(body.readableBytes)
        if matches(ifNoneMatch: request.headers[values: .ifNoneMatch]) {
            return Response(status: .notModified, headers: headers, body: .init())
        }
        if request.method == .head {
            return Response(status: .ok, headers: headers, body: .init())
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }

    /// Registers GET and HEAD of `path` (the router does not derive HEAD from GET by itself).
    func register(at path: String, on router: Router<some RequestContext>) {
        router.get(RouterPath(path)) { request, _ in self.response(to: request) }
        router.head(RouterPath(path)) { request, _ in self.response(to: request) }
    }

    /// `If-None-Match` (RFC 9110 §13.1.2) compares weakly: `W/` is ignored, `*` matches anything,
    /// and either representation's tag matches, as a cache may hold the other encoding.
    func matches(ifNoneMatch fields: [String]) -> Bool {
        for field in fields {
            for candidate in field.split(separator: ",") {
                var tag = candidate.trimmingCharacters(in: .whitespaces)
                if tag == "*" { return true }
                if tag.hasPrefix("W/") { tag.removeFirst(2) }
                if tag == etag || tag == gzipETag { return true }
            }
        }
        return false
    }

    /// Whether `Accept-Encoding` allows gzip: listed (or `*`) without `q=0`.
    static func acceptsGzip(_ fields: [String]) -> Bool {
        var gzip: Bool? = nil
        var any = false
        for field in fields {
            for item in field.split(separator: ",") {
                let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                guard let coding = parts.first else { continue }
                let refused = parts.dropFirst().contains { parameter in
                    guard parameter.hasPrefix("q=") else { return false }
                    return (Double(parameter.dropFirst(2)) ?? 1) == 0
                }
                if coding == "gzip" || coding == "x-gzip" {
                    gzip = !refused
                } else if coding == "*" {
                    any = !refused
                }
            }
        }
        return gzip ?? any
    }
}
