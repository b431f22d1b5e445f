import ChatCore
import Crypto
import Foundation
import Hummingbird
import NIOCore

/// `POST /api/uploads?name=<file name>` stores the request body as a file the sender may then
/// attach to messages (`send.attachments`).
///
/// The body is the file's bytes (no multipart), streamed: each chunk is counted, sniffed
/// (`UploadSniffer`), hashed and written to the blob store as it arrives, so an upload never
/// sits in memory whole and a refused one stops early. The bytes are stored under their
/// SHA-256 (once, however often they are uploaded); the upload gets its own random id.
///
/// Refusals, each with its own code: `401` without a token (unless guests may upload, then a
/// `nick` is needed), `413 too_large` (past `--max-upload-bytes`, by `Content-Length` or by
/// count), `413 quota_exceeded`, `429 rate_limited` (with `Retry-After`), `415 unsupported_type`
/// (not one of the allowed formats by its bytes: the name and `Content-Type` are not read),
/// `400 empty_file`.
struct UploadController: Sendable {
    let uploads: any UploadStore
    let blobs: any BlobStore
    let accounts: AccountService
    let configuration: UploadsConfiguration
    let limits: ChatLimits

    struct Created: ResponseEncodable {
        var id: String
        var name: String
        var type: String
        var size: Int64
    }

    /// What a client may upload, so it can refuse a file before sending it (the server still
    /// decides by the bytes).
    struct Limits: ResponseEncodable {
        var maxBytes: Int64
        var quotaBytes: Int64
        var maxAttachments: Int
        var guests: Bool
    }

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/api/uploads") { _, _ -> Limits in
            Limits(
                maxBytes: configuration.maxUploadBytes, quotaBytes: configuration.quotaBytes,
                maxAttachments: MessageDraft.maxAttachments, guests: configuration.allowGuests && accounts.allowsGuests)
        }
        router.post("/api/uploads") { request, context -> Response in
            let uploader = try await uploader(of: request)
            let maxBytes = configuration.maxUploadBytes
            if let declared = request.headers[.contentLength].flatMap({ Int64($0) }), declared > maxBytes {
                throw Self.tooLarge(maxBytes)
            }
            let now = ChatClock.wallMillis()
            let usage: UploadUsage
            do {
                usage = try await uploads.uploadUsage(of: uploader, since: now - 60_000)
            } catch {
                throw Self.unavailable
            }
            guard usage.recentCount < configuration.uploadsPerMinute else {
                throw APIError(
                    .tooManyRequests, "rate_limited",
                    "at most \(configuration.uploadsPerMinute) uploads per minute; try again shortly",
                    headers: [.retryAfter: "60"])
            }
            let room = configuration.quotaBytes - usage.totalBytes
            if let declared = request.headers[.contentLength].flatMap({ Int64($0) }), declared > room {
                throw quotaExceeded()
            }
            let name = Upload.cleanName(request.uri.queryParameters["name"].map(String.init) ?? "")
            let stored = try await receive(
                request.body, maxBytes: min(maxBytes, max(room, 0)), quotaBound: room < maxBytes)
            let upload = Upload(
                id: UUID().uuidString.lowercased(), digest: stored.digest, uploader: uploader, name: name,
                contentType: stored.type, size: stored.size, createdAt: now)
            do {
                // The row first, then the blob: a collection that finds no upload naming the
                // digest cannot be racing this one's commit (docs/STORAGE.md, "Uploads").
                try await uploads.recordUpload(upload)
                try await stored.writer.commit(as: stored.digest)
            } catch {
                await stored.writer.discard()
                throw Self.unavailable
            }
            let created = Created(
                id: upload.id, name: upload.name, type: upload.contentType.mediaType, size: upload.size)
            var response = try created.response(from: request, context: context)
            response.status = .created
            return response
        }
    }

    /// Who uploads: the token's account, or, when guests may upload and no token is sent, the
    /// guest's `nick` (a valid chat name: the name `send` will see).
    func uploader(of request: Request) async throws -> String {
        if request.headers[.authorization] != nil || !configuration.allowGuests || !accounts.allowsGuests {
            return try await accounts.authenticate(AccountController.bearerToken(request)).name
        }
        guard let nick = request.uri.queryParameters["nick"].map(String.init), ChatName.isValid(nick, limits: limits)
        else {
            throw APIError(
                .unauthorized, "missing_token",
                "send `Authorization: Bearer <token>`, or, as a guest, your nick as `nick=`")
        }
        return nick
    }

    /// A body that was streamed into the blob store, not yet committed.
    struct Received {
        var writer: any BlobWriter
        var digest: BlobDigest
        var type: UploadContentType
        var size: Int64
    }

    /// Streams `body` into a new blob writer, counting, sniffing and hashing as it goes.
    ///
    /// - Parameters:
    ///   - maxBytes: the most bytes accepted (the size limit, or what is left of the quota).
    ///   - quotaBound: whether `maxBytes` is the quota's (the refusal then says so).
    func receive(_ body: RequestBody, maxBytes: Int64, quotaBound: Bool) async throws -> Received {
        let writer: any BlobWriter
        do {
            writer = try await blobs.makeWriter()
        } catch {
            throw Self.unavailable
        }
        var sniffer = UploadSniffer()
        var hasher = SHA256()
        var size: Int64 = 0
        do {
            for try await chunk in body {
                size += Int64(chunk.readableBytes)
                guard size <= maxBytes else {
                    throw quotaBound ? quotaExceeded() : Self.tooLarge(configuration.maxUploadBytes)
                }
                let fits = chunk.withUnsafeReadableBytes { bytes in
                    hasher.update(bufferPointer: bytes)
                    return sniffer.feed(bytes)
                }
                guard fits else { throw Self.unsupportedType }
                do {
                    try await writer.write(chunk)
                } catch {
                    throw Self.unavailable
                }
            }
        } catch {
            await writer.discard()
            throw error
        }
        guard size > 0 else {
            await writer.discard()
            throw APIError(.badRequest, "empty_file", "the request body is the file: it was empty")
        }
        guard let type = sniffer.finish() else {
            await writer.discard()
            throw Self.unsupportedType
        }
        return Received(writer: writer, digest: BlobDigest(bytes: hasher.finalize()), type: type, size: size)
    }

    static func tooLarge(_ limit: Int64) -> APIError {
        APIError(.contentTooLarge, "too_large", "files may be at most \(limit) bytes")
    }

    func quotaExceeded() -> APIError {
        APIError(
            .contentTooLarge, "quota_exceeded",
            "your uploads may hold at most \(configuration.quotaBytes) bytes together; files no message carries are removed after a while"
        )
    }

    static let unsupportedType = APIError(
        .unsupportedMediaType, "unsupported_type",
        "allowed are PNG, JPEG, GIF and WebP images, PDF, plain UTF-8 text, ZIP, gzip, tar and 7z, recognised by their content"
    )

    static let unavailable = APIError(.serviceUnavailable, "unavailable", "the file store is unavailable; try again")
}
