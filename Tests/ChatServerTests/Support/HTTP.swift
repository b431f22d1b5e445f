import Foundation
import NIOCore
import NIOPosix

/// A minimal HTTP/1.1 client over a real socket, enough to check status, headers and JSON bodies.
enum HTTP {
    struct Response: Sendable {
        var status: Int
        var headers: [String: String]
        var body: String
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) }
    }

    static func get(port: Int, path: String, headers: [String: String] = [:]) async throws -> Response {
        try await request("GET", port: port, path: path, headers: headers)
    }

    static func getJSON(port: Int, path: String) async throws -> Any? {
        try await get(port: port, path: path).json
    }

    /// Attempts a WebSocket handshake on `path` and returns the whole HTTP answer: a 101 with
    /// no body, or a refusal with its body (read up to its `Content-Length`).
    static func webSocketHandshake(port: Int, path: String, origin: String? = nil) async throws -> Response {
        var request =
            "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        if let origin { request += "Origin: \(origin)\r\n" }
        request += "\r\n"
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let raw: String = try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var response = ""
            for try await chunk in inbound {
                response += String(buffer: chunk)
                guard let split = response.range(of: "\r\n\r\n") else { continue }
                let head = response[..<split.lowerBound].lowercased()
                if head.hasPrefix("http/1.1 101") { return response }
                let length =
                    head.components(separatedBy: "\r\n")
                    .first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if response[split.upperBound...].utf8.count >= length { return response }
            }
            return response
        }
        return try Response(parsing: raw)
    }

    /// Sends `request` and reads until the server closes the connection.
    static func exchange(port: Int, request: String) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var response = ByteBuffer()
            for try await var chunk in inbound {
                response.writeBuffer(&chunk)
            }
            return String(buffer: response)
        }
    }
}
