public import NIOCore

/// How a transport turns a server frame's JSON into the bytes it writes: as they are (SockJS
/// queues, tests), or as a complete WebSocket text frame.
///
/// A server-to-client WebSocket frame is not masked, so its bytes are the same for every
/// recipient: fan-out builds them once per event (`FanOut`) and every socket writes that buffer.
public struct WireEncoding: Sendable {
    /// Identifies the encoding, so fan-out can reuse one result for every sink that shares it.
    public let id: Int
    /// Turns a frame's JSON into the transport's bytes.
    public let encode: @Sendable (ByteBuffer) -> ByteBuffer

    /// - Parameters:
    ///   - id: unique per encoding; `json` is 0.
    ///   - encode: the transformation; must be pure.
    public init(id: Int, encode: @escaping @Sendable (ByteBuffer) -> ByteBuffer) {
        self.id = id
        self.encode = encode
    }

    /// The JSON itself.
    public static let json = WireEncoding(id: 0) { $0 }
}
