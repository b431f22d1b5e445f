import Foundation
import NIOCore
import NIOPosix
import TestSupport

/// One HTTP/1.1 connection over a real socket, read incrementally: a streaming SockJS response
/// is read chunk by chunk, exactly as the server framed it.
///
/// Reads wait as long as needed; the suites' time limits turn a hang into a failure.
final class RawHTTPConnection {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct Head {
        var status: Int
        var headers: [String: String]
        subscript(name: String) -> String? { headers[name.lowercased()] }
    }

    private let channel: any Channel
    private var iterator: AsyncStream<ByteBuffer>.AsyncIterator
    private var buffer = ByteBuffer()
    private var closed = false

    private init(channel: any Channel, stream: AsyncStream<ByteBuffer>) {
        self.channel = channel
        self.iterator = stream.makeAsyncIterator()
    }

    static func open(port: Int) async throws -> RawHTTPConnection {
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteStreamCollector(continuation: continuation))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawHTTPConnection(channel: channel, stream: stream)
    }

    /// Sends one request.
    func send(
        _ method: String, _ path: String, headers: [String: String] = [:], body: String? = nil, version: String = "1.1"
    )
        async throws
    {
        var request = "\(method) \(path) HTTP/\(version)\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        if let body {
            request += "Content-Length: \(body.utf8.count)\r\n"
        } else if method == "POST" {
            request += "Content-Length: 0\r\n"
        }
        request += "\r\n" + (body ?? "")
        try await channel.writeAndFlush(ByteBuffer(string: request)).get()
    }

    /// Reads the status line and headers.
    func readHead() async throws -> Head {
        let head = try await readUntil("\r\n\r\n")
        let lines = head.components(separatedBy: "\r\n")
        let status = Int(lines[0].split(separator: " ")[1]) ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        return Head(status: status, headers: headers)
    }

    /// The next chunk of a chunked body; nil at the terminating empty chunk.
    func readChunk() async throws -> String? {
        let sizeLine = try await readUntil("\r\n")
        guard let size = Int(sizeLine.trimmingCharacters(in: .whitespaces), radix: 16) else {
            throw Failure(description: "bad chunk size line \(sizeLine.debugDescription)")
        }
        // Count bytes, not Characters: "\r\n" is a single Character in Swift.
        while buffer.readableBytes < size + 2 {
            guard try await fill() else { throw Failure(description: "connection closed inside a chunk") }
        }
        let data = buffer.readString(length: size)!
        buffer.moveReaderIndex(forwardBy: 2)
        return size == 0 ? nil : data
    }

    /// The whole body, by Content-Length or chunks.
    func readBody(_ head: Head) async throws -> String {
        if let length = head["content-length"].flatMap({ Int($0) }) {
            return try await readBytes(length)
        }
        if head["transfer-encoding"] == "chunked" {
            var body = ""
            while let chunk = try await readChunk() { body += chunk }
            return body
        }
        return ""
    }

    /// Sends a request and reads the whole response.
    func exchange(
        _ method: String, _ path: String, headers: [String: String] = [:], body: String? = nil
    ) async throws
        -> (Head, String)
    {
        try await send(method, path, headers: headers, body: body)
        let head = try await readHead()
        return (head, try await readBody(head))
    }

    /// Whether the server closed the connection (reads until end of stream).
    func readToEnd() async throws -> String {
        while try await fill() {}
        return String(buffer: buffer)
    }

    func close() {
        channel.close(promise: nil)
    }

    // MARK: Reading

    private func readUntil(_ delimiter: String) async throws -> String {
        while true {
            let text = String(buffer: buffer)
            if let range = text.range(of: delimiter) {
                let line = String(text[..<range.lowerBound])
                buffer.moveReaderIndex(forwardBy: text[..<range.upperBound].utf8.count)
                return line
            }
            guard try await fill() else {
                throw Failure(description: "connection closed before \(delimiter.debugDescription)")
            }
        }
    }

    private func readBytes(_ count: Int) async throws -> String {
        while buffer.readableBytes < count {
            guard try await fill() else {
                throw Failure(description: "connection closed after \(buffer.readableBytes) of \(count) bytes")
            }
        }
        return buffer.readString(length: count)!
    }

    /// Reads more bytes; false at end of stream (or when the test's time limit cancels it).
    private func fill() async throws -> Bool {
        if closed { return false }
        guard var bytes = await iterator.next() else {
            closed = true
            return false
        }
        buffer.writeBuffer(&bytes)
        return true
    }
}
