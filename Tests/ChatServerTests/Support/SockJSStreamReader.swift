import Foundation
import NIOCore
import NIOPosix
import TestSupport

/// One SockJS `xhr_streaming` response read over a real socket, frame by frame.
///
/// Every read waits at most `timeout`; the prelude (`hhh…`) is skipped. `nextFrame` returns nil
/// when the server ends the response (the response limit, or a close).
final class SockJSStreamReader {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let channel: any Channel
    private let bytes: AsyncStream<ByteBuffer>
    private var iterator: AsyncStream<ByteBuffer>.AsyncIterator
    private var buffer = ByteBuffer()
    private var frames: [String] = []
    private var ended = false
    private(set) var status = 0

    private init(channel: any Channel, bytes: AsyncStream<ByteBuffer>) {
        self.channel = channel
        self.bytes = bytes
        self.iterator = bytes.makeAsyncIterator()
    }

    /// Opens `path` (`/sockjs/<server>/<session>/xhr_streaming`) on `port` and reads the head.
    static func open(port: Int, path: String, timeout: Duration = .seconds(30)) async throws -> SockJSStreamReader {
        let (bytes, continuation) = AsyncStream<ByteBuffer>.makeStream()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteStreamCollector(continuation: continuation))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        let reader = SockJSStreamReader(channel: channel, bytes: bytes)
        let request = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: 0\r\n\r\n"
        try await channel.writeAndFlush(ByteBuffer(string: request)).get()
        let head = try await reader.readUntil("\r\n\r\n", timeout: timeout)
        reader.status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        return reader
    }

    /// The next SockJS frame (`o`, `h`, `a[...]`, `c[...]`), nil at the end of the response.
    func nextFrame(timeout: Duration = .seconds(30)) async throws -> String? {
        while frames.isEmpty {
            if ended { return nil }
            let sizeLine = try await readUntil("\r\n", timeout: timeout)
            guard let size = Int(sizeLine, radix: 16) else {
                throw Failure(description: "bad chunk size \(sizeLine.debugDescription)")
            }
            while buffer.readableBytes < size + 2 {
                guard try await fill(timeout: timeout) else {
                    throw Failure(description: "connection closed inside a chunk")
                }
            }
            let data = buffer.readString(length: size) ?? ""
            buffer.moveReaderIndex(forwardBy: 2)
            if size == 0 {
                ended = true
                return nil
            }
            // The 2 KiB prelude is all `h`; a heartbeat is a lone `h`.
            frames += data.split(separator: "\n").map(String.init).filter {
                !($0.count > 1 && $0.allSatisfy { $0 == "h" })
            }
        }
        return frames.removeFirst()
    }

    func close() {
        channel.close(promise: nil)
    }

    private func readUntil(_ delimiter: String, timeout: Duration) async throws -> String {
        while true {
            let text = String(buffer: buffer)
            if let range = text.range(of: delimiter) {
                buffer.moveReaderIndex(forwardBy: text[..<range.upperBound].utf8.count)
                return String(text[..<range.lowerBound])
            }
            guard try await fill(timeout: timeout) else {
                throw Failure(description: "connection closed before \(delimiter.debugDescription)")
            }
        }
    }

    /// Reads more bytes within `timeout`; false at end of stream.
    private func fill(timeout: Duration) async throws -> Bool {
        let timer = Task { [channel] in
            try await Task.sleep(for: timeout)
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        // At the deadline the timer closes the connection, which ends the stream.
        guard var more = await iterator.next() else { return false }
        buffer.writeBuffer(&more)
        return true
    }
}
