import ChatCore
import Foundation
import Hummingbird
import NIOCore

/// `GET /api/files/:id`: an upload's bytes, for its uploader and for whoever may read a
/// conversation with a message that carries it.
///
/// Everyone else gets `404 not_found`, the same answer as for an id that never existed, so the
/// route never tells whether a file exists. A token is optional, like room history: a guest
/// reads files of public rooms (under `--require-auth` it is required, `401`).
///
/// Allowlisted images are served `inline`; every other type as an `attachment`, so a document
/// never renders in the server's origin. Every file gets `X-Content-Type-Options: nosniff`
/// (`SecurityHeadersMiddleware`) and a CSP that lets it run nothing. Single byte ranges (206,
/// 416), a strong ETag (the SHA-256) and `If-None-Match` (304) are served; the body streams
/// from the blob store a chunk at a time.
struct FileController: Sendable {
    let uploads: any UploadStore
    let blobs: any BlobStore
    let accounts: AccountService

    /// The policy of a served file: nothing runs, nothing loads, and a browser that opens it as
    /// a page treats it as a sandboxed, unique origin.
    static let contentSecurityPolicy = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/api/files/:id") { request, context -> Response in
            var reader: String?
            if !accounts.allowsGuests || request.headers[.authorization] != nil {
                reader = try await accounts.authenticate(AccountController.bearerToken(request)).name
            }
            let id = context.parameters.get("id") ?? ""
            guard Upload.isValidID(id) else { throw Self.notFound }
            let found: Upload?
            do {
                found = try await uploads.readableUpload(id: id, reader: reader, now: ChatClock.wallMillis())
            } catch {
                throw UploadController.unavailable
            }
            guard let upload = found else { throw Self.notFound }
            return try await response(for: upload, request: request)
        }
    }

    func response(for upload: Upload, request: Request) async throws -> Response {
        let etag = "\"\(upload.digest.hex)\""
        var headers: HTTPFields = [
            .eTag: etag,
            .acceptRanges: "bytes",
            .cacheControl: "private, max-age=86400",
            .contentSecurityPolicy: Self.contentSecurityPolicy,
            .contentDisposition: Self.disposition(of: upload),
        ]
        if Self.matches(request.headers[.ifNoneMatch], etag: etag) {
            return Response(status: .notModified, headers: headers)
        }
        var requested = ByteRange.parse(request.headers[.range], size: upload.size)
        // `If-Range` with another version: the whole (current) file.
        if let ifRange = request.headers[.ifRange], ifRange != etag { requested = .whole }
        let range: Range<Int64>
        var status = HTTPResponse.Status.ok
        switch requested {
        case .whole:
            range = 0..<upload.size
        case .partial(let part):
            range = part.range
            status = .partialContent
            headers[.contentRange] = "bytes \(part.range.lowerBound)-\(part.range.upperBound - 1)/\(upload.size)"
        case .unsatisfiable:
            headers[.contentRange] = "bytes */\(upload.size)"
            throw APIError(
                .rangeNotSatisfiable, "range_not_satisfiable", "the file has \(upload.size) bytes", headers: headers)
        }
        headers[.contentType] = upload.contentType.mediaType
        let blobs = self.blobs
        let digest = upload.digest
        let length = Int(range.upperBound - range.lowerBound)
        return Response(
            status: status, headers: headers,
            body: ResponseBody(contentLength: length) { writer in
                try await blobs.read(digest, range: range) { chunk in try await writer.write(chunk) }
                try await writer.finish(nil)
            })
    }

    /// `inline` for images, else `attachment`, with the name as an RFC 8187 `filename*` (and a
    /// plain ASCII `filename` for old clients).
    static func disposition(of upload: Upload) -> String {
        let kind = upload.contentType.isInlineImage ? "inline" : "attachment"
        let ascii = String(
            upload.name.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "%" ? Character($0) : "_" })
        // RFC 8187 attr-char: ASCII letters, digits and these; everything else percent-encoded.
        let allowed = CharacterSet(
            charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~")
        let encoded = upload.name.addingPercentEncoding(withAllowedCharacters: allowed) ?? "file"
        return "\(kind); filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }

    /// Whether an `If-None-Match` header names `etag` (or is `*`); weak comparison, as RFC 9110
    /// asks for this header.
    static func matches(_ header: String?, etag: String) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || tag == etag || tag == "W/" + etag
        }
    }

    static let notFound = APIError(.notFound, "not_found", "no such file")
}
