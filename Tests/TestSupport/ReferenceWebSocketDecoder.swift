public import NIOCore
import NIOEmbedded
public import NIOWebSocket

/// swift-nio's own RFC 6455 frame decoder, run on bytes a test captured: the reference every
/// hand-built server frame must decode with.
public enum ReferenceWebSocketDecoder {
    /// The frames in `bytes`, as swift-nio's `WebSocketFrameDecoder` reads them.
    public static func decode(_ bytes: ByteBuffer) throws -> [WebSocketFrame] {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 20)))
        try channel.writeInbound(bytes)
        var frames: [WebSocketFrame] = []
        while let frame = try channel.readInbound(as: WebSocketFrame.self) { frames.append(frame) }
        _ = try channel.finish()
        return frames
    }
}
