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
/// again (woken by `WritabilitySignal`, not polling) before taking the next one. The kernel and NIO buffers therefore hold at most one batch
/// beyond NIO's high watermark; everything else waits in the bounded outbox, which overflows
/// (1013) for a client that stopped reading.
struct WebSocketFrameWriter: Sendable {
    let channel: any Channel

    /// Puts a `WritabilitySignal` first in `channel`'s pipeline, where writability changes are
    /// reported, and returns a writer for the channel.
    static func install(on channel: any Channel) async throws -> WebSocketFrameWriter {
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(WritabilitySignal(), position: .first)
        }.get()
        return WebSocketFrameWriter(channel: channel)
    }

    /// Writes `frames` as text frames and flushes once; returns when they were handed to the
    /// channel and the channel is writable again (or it closed). Cancelling the task ends the
    /// wait with `CancellationError`.
    func write(_ frames: [ByteBuffer]) async throws {
        let channel = self.channel
        let writable = channel.eventLoop.makePromise(of: Void.self)
        try await withTaskCancellationHandler {
            do {
                try await channel.eventLoop.submit {
                    for frame in frames {
                        channel.write(WebSocketFrame(fin: true, opcode: .text, data: frame), promise: nil)
                    }
                    channel.flush()
                    // Gone once the pipeline is torn down (the connection closed).
                    let signal = try channel.pipeline.syncOperations.handler(type: WritabilitySignal.self)
                    signal.notifyWhenWritable(writable, channel: channel)
                }.get()
            } catch {
                // Every promise must complete: NIO traps on one dropped pending.
                writable.fail(error)
                throw error
            }
            try await writable.futureResult.get()
        } onCancel: {
            // A promise completes once; a later success from the signal is ignored.
            writable.fail(CancellationError())
        }
    }
}
