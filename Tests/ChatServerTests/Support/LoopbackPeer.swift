import Foundation
import NIOCore
import NIOPosix
import TestSupport

/// A TCP connection to the test server from a chosen loopback address (`127.0.0.2`, …: all of
/// 127.0.0.0/8 is local on Linux), so one test can be a trusted proxy and an untrusted client.
///
/// A WebSocket handshake that the server accepts keeps its connection open (it holds a slot of
/// the per-address limit) until `close()`.
final class LoopbackPeer {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let channel: any Channel
    /// The server's answer: the status line and headers, and the body of a refusal.
    let response: HTTP.Response

    private init(channel: any Channel, response: HTTP.Response) {
        self.channel = channel
        self.response = response
    }

    /// Connects from `localAddress` and sends `request` (with `Host` and the headers given);
    /// returns once the head, and a refusal's body, have arrived.
    static func send(
        from localAddress: String, port: Int, _ method: String, _ path: String, headers: [(String, String)],
        body: String = ""
    ) async throws -> LoopbackPeer {
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(to: try SocketAddress(ipAddress: localAddress, port: 0))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteStreamCollector(continuation: continuation))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        if method == "POST" { request += "Content-Length: \(body.utf8.count)\r\n" }
        request += "\r\n" + body
        try await channel.writeAndFlush(ByteBuffer(string: request)).get()
        var raw = ""
        for await chunk in stream {
            raw += String(buffer: chunk)
            guard let split = raw.range(of: "\r\n\r\n") else { continue }
            let head = raw[..<split.lowerBound].lowercased()
            if head.hasPrefix("http/1.1 101") { break }
            let length =
                head.components(separatedBy: "\r\n")
                .first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            if raw[split.upperBound...].utf8.count >= length { break }
        }
        guard raw.contains("\r\n\r\n") else {
            try? await channel.close()
            throw Failure(
                description:
                    "no answer from the server to \(method) \(path) from \(localAddress): \(raw.debugDescription)")
        }
        return LoopbackPeer(channel: channel, response: try HTTP.Response(parsing: raw))
    }

    /// A `/ws` handshake from `localAddress`, with `X-Forwarded-For: forwardedFor` when given.
    static func webSocket(
        from localAddress: String, port: Int, forwardedFor: String? = nil
    ) async throws -> LoopbackPeer {
        var headers = [
            ("Connection", "Upgrade"), ("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13"),
            ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ]
        if let forwardedFor { headers.append(("X-Forwarded-For", forwardedFor)) }
        return try await send(from: localAddress, port: port, "GET", "/ws", headers: headers)
    }

    func close() async {
        try? await channel.close()
    }
}
