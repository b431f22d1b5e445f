import ChatServer
import CompressNIO
import Foundation
import NIOCore
import NIOPosix
import Testing

/// The web client's files over real HTTP: ETags and 304s, gzip, HEAD, and every module the page
/// imports.
@Suite("Static files", .timeLimit(.minutes(1)))
struct StaticAssetTests {
    /// The page, its modules, its stylesheet, its theme script, and sockjs-client.
    static let paths = [
        "/", "/index.html", "/app.js", "/state.js", "/rendering.js", "/style.css", "/theme.js", "/sockjs-client.min.js",
    ]

    @Test("every static file has an ETag; If-None-Match with it answers an empty 304", arguments: paths)
    func etagAndNotModified(path: String) async throws {
        try await withServer { port in
            let first = try await RawHTTP.request("GET", port: port, path: path)
            #expect(first.status == 200)
            let etag = try #require(first.headers["etag"])
            #expect(etag.hasPrefix("\"") && etag.hasSuffix("\""), "a strong, quoted validator: \(etag)")
            #expect(first.headers["vary"] == "Accept-Encoding")

            let again = try await RawHTTP.request("GET", port: port, path: path, headers: ["If-None-Match": etag])
            #expect(again.status == 304)
            #expect(again.body.readableBytes == 0)
            #expect(again.headers["etag"] == etag)

            // Weak comparison: a W/ prefix and a list still match; another tag does not.
            let weak = try await RawHTTP.request(
                "GET", port: port, path: path, headers: ["If-None-Match": "\"nope\", W/\(etag)"])
            #expect(weak.status == 304)
            let other = try await RawHTTP.request("GET", port: port, path: path, headers: ["If-None-Match": "\"nope\""])
            #expect(other.status == 200)
            #expect(other.body == first.body)
        }
    }

    @Test("text files are gzipped for a client that accepts gzip and unzip to the same bytes", arguments: paths)
    func gzip(path: String) async throws {
        try await withServer { port in
            let plain = try await RawHTTP.request("GET", port: port, path: path)
            #expect(plain.headers["content-encoding"] == nil, "no Accept-Encoding, no gzip")
            var zipped = try await RawHTTP.request(
                "GET", port: port, path: path, headers: ["Accept-Encoding": "gzip, deflate, br"])
            #expect(zipped.status == 200)
            #expect(zipped.headers["content-encoding"] == "gzip")
            #expect(zipped.headers["content-length"] == String(zipped.body.readableBytes))
            #expect(zipped.body.readableBytes < plain.body.readableBytes)
            #expect(zipped.headers["etag"] != plain.headers["etag"], "each representation has its own strong ETag")
            let unzipped = try zipped.body.decompress(with: .gzip())
            #expect(unzipped == plain.body)

            // The other encoding's ETag is still a match: a cache may hold either.
            let revalidated = try await RawHTTP.request(
                "GET", port: port, path: path,
                headers: ["Accept-Encoding": "gzip", "If-None-Match": try #require(plain.headers["etag"])])
            #expect(revalidated.status == 304)

            let refused = try await RawHTTP.request(
                "GET", port: port, path: path, headers: ["Accept-Encoding": "gzip;q=0, identity"])
            #expect(refused.headers["content-encoding"] == nil)
            #expect(refused.body == plain.body)
        }
    }

    @Test("HEAD answers like GET: same status and headers, Content-Length included, no body", arguments: paths)
    func head(path: String) async throws {
        try await withServer { port in
            for encoding in ["identity", "gzip"] {
                let get = try await RawHTTP.request(
                    "GET", port: port, path: path, headers: ["Accept-Encoding": encoding])
                let head = try await RawHTTP.request(
                    "HEAD", port: port, path: path, headers: ["Accept-Encoding": encoding])
                #expect(head.status == get.status)
                #expect(head.body.readableBytes == 0, "HEAD must not send a body")
                #expect(head.headers["content-length"] == String(get.body.readableBytes))
                var getHeaders = get.headers
                var headHeaders = head.headers
                getHeaders["date"] = nil
                headHeaders["date"] = nil
                #expect(headHeaders == getHeaders)
            }
        }
    }

    @Test("every module and file the page loads is served as JavaScript or CSS")
    func everyImportIsServed() async throws {
        try await withServer { port in
            let page = try await RawHTTP.request("GET", port: port, path: "/")
            let html = String(buffer: page.body)
            var queue = Self.references(in: html, pattern: #"(?:src|href)="(/[A-Za-z0-9_.-]+\.(?:js|css))""#)
            #expect(queue.contains("/app.js") && queue.contains("/style.css"))
            var seen: Set<String> = []
            while let path = queue.popLast() {
                guard seen.insert(path).inserted else { continue }
                let file = try await RawHTTP.request("GET", port: port, path: path)
                #expect(file.status == 200, "\(path)")
                if path.hasSuffix(".js") {
                    #expect(file.headers["content-type"] == "text/javascript; charset=utf-8", "\(path)")
                    queue += Self.references(
                        in: String(buffer: file.body), pattern: #"from "\.(/[A-Za-z0-9_.-]+\.js)""#)
                }
            }
            #expect(
                seen.isSuperset(of: [
                    "/state.js", "/connection.js", "/rendering.js", "/rooms.js", "/composer.js", "/accounts.js",
                    "/directory.js",
                    "/moderation.js", "/blocks.js", "/requests.js", "/dialogs.js", "/lifecycle.js", "/readstate.js",
                    "/watch.js",
                    "/files.js",
                    "/autocomplete.js", "/notify.js",
                ]))
        }
    }

    /// Runs `body` against a real server that also serves a sockjs-client script of a realistic
    /// size (so it has something to compress).
    private func withServer(_ body: @Sendable (Int) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sockjs-\(UUID().uuidString).min.js")
            .path
        let script = String(repeating: "var SockJS = function (url) { return new WebSocket(url); };\n", count: 200)
        try Data(script.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = ServerConfigurationFactory.make()
        configuration.sockJSClientPath = path
        try await TestServer.with(configuration) { port, _ in try await body(port) }
    }

    private static func references(in text: String, pattern: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern)
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}

/// HTTP/1.1 over a real socket, keeping the body as bytes (a gzip body is not text) and telling
/// a HEAD's empty body apart from a missing one.
private enum RawHTTP {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: ByteBuffer
    }

    static func request(
        _ method: String, port: Int, path: String, headers: [String: String] = [:]
    ) async throws -> Response {
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        var raw: ByteBuffer = try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var response = ByteBuffer()
            for try await var chunk in inbound { response.writeBuffer(&chunk) }
            return response
        }
        let terminator = Array("\r\n\r\n".utf8)
        let bytes = Array(raw.readableBytesView)
        guard
            let split = (0...(bytes.count - terminator.count)).first(where: { Array(bytes[$0..<$0 + 4]) == terminator })
        else { throw URLError(.badServerResponse) }
        let head = String(decoding: bytes[..<split], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = head[0].split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw URLError(.badServerResponse) }
        var fields: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        raw.moveReaderIndex(forwardBy: split + terminator.count)
        return Response(status: status, headers: fields, body: raw)
    }
}
