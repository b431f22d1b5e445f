import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket
import Synchronization

/// Drives one WebSocket against the real server: sends `messages` at once, then collects text frames until `count` arrived (then closes) or the server closed.
enum WebSocketProbe {
    struct Result: Sendable {
        var frames: [String]

        /// The messages of every `a[...]` frame, in order, however the server batched them.
        var messages: [String] { Self.messages(in: frames) }

        static func messages(in frames: [String]) -> [String] {
            frames.filter { $0.hasPrefix("a") }.flatMap { frame in
                (try? JSONSerialization.jsonObject(with: Data(frame.dropFirst().utf8)) as? [String]) ?? []
            }
        }
        var closeCode: WebSocketErrorCode?
        var closeReason: String?
    }

    static func run(
        port: Int, path: String, send messages: [String] = [], sendBytes: [[UInt8]] = [], until count: Int = .max
    ) async throws -> Result {
        try await run(port: port, path: path, send: messages, sendBytes: sendBytes, stop: { $0.count >= count })
    }

    /// Like `run(port:path:send:until:)`, but stops once `stop` holds for the frames so far (the
    /// server may batch messages into one `a[...]` frame or not, depending on timing).
    /// `sendBytes` go out after `messages` as text frames of exactly those bytes, valid UTF-8 or not.
    static func run(
        port: Int, path: String, send messages: [String] = [], sendBytes: [[UInt8]] = [],
        stop: @escaping @Sendable ([String]) -> Bool
    ) async throws -> Result {
        var logger = Logger(label: "ws-probe")
        logger.logLevel = .warning
        let frames = Mutex<[String]>([])
        let closeFrame = try await WebSocketClient.connect(
            url: "ws://127.0.0.1:\(port)\(path)", configuration: .init(maxFrameSize: 1 << 20), logger: logger
        ) { inbound, outbound, _ in
            for message in messages { try await outbound.write(.text(message)) }
            for bytes in sendBytes {
                try await outbound.write(
                    .custom(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(bytes: bytes))))
            }
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let text) = message else { continue }
                let done = frames.withLock { frames in
                    frames.append(text)
                    return stop(frames)
                }
                if done {
                    try await outbound.close(.normalClosure, reason: nil)
                    break
                }
            }
        }
        return Result(frames: frames.withLock { $0 }, closeCode: closeFrame?.closeCode, closeReason: closeFrame?.reason)
    }
}
