import ChatCore
import NIOCore
import NIOWebSocket

/// Writes a session's outbound frames straight into the upgraded channel: one hop to the event
/// loop and one flush per `SessionOutbox` batch.
///
/// hummingbird-websocket's `WebSocketOutboundWriter` costs an actor hop and an async-writer
/// hand-off per frame; at thousands of deliveries per second that dominated the fan-out path
/// (docs/BENCHMARKS.md). Frames written here pass through the same `WebSocketFrameEncoder` as
/// the library's, so the wire format is identical; the close handshake still goes through the
/// library, after the frames before it were written.
///
/// Backpressure: a batch is written whole, then the writer waits until the channel is writable
/// again before taking the next one. The kernel and NIO buffers therefore hold at most one batch
/// beyond NIO's high watermark; everything else waits in the bounded outbox, which overflows
/// (1013) for a client that stopped reading.
struct WebSocketFrameWriter: Sendable {
    let channel: any Channel
    /// How often a blocked writer checks writability again.
    static let writabilityPoll: Duration = .milliseconds(20)

    /// Writes `frames` as text frames and flushes once; returns when they were handed to the
    /// channel and the channel is writable again (or it closed).
    func write(_ frames: [ByteBuffer]) async throws {
        let channel = self.channel
        let writable = try await channel.eventLoop.submit {
            for frame in frames {
                channel.write(WebSocketFrame(fin: true, opcode: .text, data: frame), promise: nil)
            }
            channel.flush()
            return channel.isWritable
        }.get()
        guard !writable else { return }
        while channel.isActive, !channel.isWritable {
            try await Task.sleep(for: Self.writabilityPoll)
        }
    }
}
