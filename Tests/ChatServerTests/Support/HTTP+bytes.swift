import Foundation
import NIOCore
import NIOPosix

extension HTTP {
    /// An answer whose body is bytes (a downloaded file), not text.
    struct BytesResponse: Sendable {
        var status: Int
        /// Names lower-cased.
        var headers: [String: String]
        var body: [UInt8]
        /// The `error.code` of a JSON error body.
        var errorCode: String? {
            let json = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
            return (json?["error"] as? [String: Any])?["code"] as? String
        }
        /// A field of a JSON object body.
        subscript(field: String) -> Any? {
            (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])?[field]
        }
    }

    /// Sends a request with a binary body over a real socket (with `Content-Length`, or chunked
    /// when `chunked` is set, as a client streaming a file of unknown size does) and reads the
    /// whole answer until the server closes the connection.
    static func bytesRequest(
        _ method: String, port: Int, path: String, body: [UInt8]? = nil, chunked: Bool = false,
        headers: [String: String] = [:]
    ) async throws -> BytesResponse {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let body {
            head += chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: \(body.count)\r\n"
        }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        var request = ByteBuffer(string: head)
        if let body {
            if chunked {
                var offset = 0
                while offset < body.count {
                    let end = min(offset + 65_536, body.count)
                    request.writeString(String(end - offset, radix: 16) + "\r\n")
                    request.writeBytes(body[offset..<end])
                    request.writeString("\r\n")
                    offset = end
                }
                request.writeString("0\r\n\r\n")
            } else {
                request.writeBytes(body)
            }
        }
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let raw: [UInt8] = try await channel.executeThenClose { inbound, outbound in
            // A server that refuses early may close before the whole body is written.
            try? await outbound.write(request)
            var response = ByteBuffer()
            do {
                for try await var chunk in inbound { response.writeBuffer(&chunk) }
            } catch  where response.readableBytes > 0 {
                // A reset after the answer (the server stopped reading a refused body).
            }
            return Array(response.readableBytesView)
        }
        guard let split = raw.firstRange(of: Array("\r\n\r\n".utf8)) else { throw URLError(.badServerResponse) }
        let lines = String(decoding: raw[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = lines[0].split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw URLError(.badServerResponse) }
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(raw[split.upperBound...])
        if fields["transfer-encoding"]?.lowercased() == "chunked" { body = try Self.dechunk(body) }
        return BytesResponse(status: status, headers: fields, body: body)
    }

    /// The payload of a chunked body.
    static func dechunk(_ bytes: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let end = bytes[index...].firstRange(of: Array("\r\n".utf8)) else {
                throw URLError(.badServerResponse)
            }
            let sizeText =
                String(decoding: bytes[index..<end.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw URLError(.badServerResponse)
            }
            if size == 0 { break }
            let start = end.upperBound
            guard start + size <= bytes.count else { throw URLError(.badServerResponse) }
            output += bytes[start..<start + size]
            index = start + size + 2
        }
        return output
    }
}
