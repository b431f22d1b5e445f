public import NIOCore

/// Splits the inbound byte stream into `AMQPFrame`s.
///
/// A single-step decoder (the swift-nio WebSocket and postgres-nio pattern): it peeks at the
/// 7-byte frame header, rejects an unknown type or a size above `maximumFrameSize` before
/// buffering the payload, leaves the reader index untouched while the frame is incomplete, and
/// turns every malformed input into an `AMQPError` carrying the reply code the connection must
/// be closed with (FRAME_ERROR 501 for framing, SYNTAX_ERROR 502 for bad fields).
public struct AMQPFrameDecoder: NIOSingleStepByteToMessageDecoder {
    /// The decoded frame.
    public typealias InboundOut = AMQPFrame

    /// The largest frame accepted, framing included (the client's `frame_max`).
    ///
    /// The broker never sends more than the negotiated value, which is at most what the client
    /// offered, so checking against the client's configured maximum is exact.
    public var maximumFrameSize: UInt32

    /// Creates a decoder accepting frames up to `maximumFrameSize` bytes (0 means no limit).
    public init(maximumFrameSize: UInt32) {
        self.maximumFrameSize = maximumFrameSize
    }

    /// Decodes one frame, or returns nil (reader index unchanged) when more bytes are needed.
    public mutating func decode(buffer: inout ByteBuffer) throws -> AMQPFrame? {
        let start = buffer.readerIndex
        guard let (type, channel, size) = buffer.getMultipleIntegers(at: start, as: (UInt8, UInt16, UInt32).self) else {
            return nil
        }
        if type == UInt8(ascii: "A") {
            // The broker rejected our protocol header by answering with its own: "AMQP" 0 x y z.
            guard let header = buffer.getBytes(at: start, length: 8) else { return nil }
            buffer.moveReaderIndex(forwardBy: 8)
            throw AMQPError(
                code: .protocolVersionMismatch,
                message: "broker supports AMQP \(header[5])-\(header[6])-\(header[7]), not 0-9-1",
                closedConnection: true
            )
        }
        switch type {
        case AMQPConstants.frameMethod, AMQPConstants.frameHeader, AMQPConstants.frameBody,
            AMQPConstants.frameHeartbeat:
            break
        default:
            throw AMQPError(code: .frameError, message: "unknown frame type \(type)", closedConnection: true)
        }
        if self.maximumFrameSize > 0, UInt64(size) + UInt64(AMQPFrame.overhead) > UInt64(self.maximumFrameSize) {
            throw AMQPError(
                code: .frameError,
                message: "frame of \(size) payload bytes exceeds frame_max \(self.maximumFrameSize)",
                closedConnection: true
            )
        }
        let total = 7 + Int(size) + 1
        guard buffer.readableBytes >= total else { return nil }
        guard buffer.getInteger(at: start + 7 + Int(size), as: UInt8.self) == AMQPConstants.frameEnd else {
            throw AMQPError(code: .frameError, message: "frame-end octet is not 0xCE", closedConnection: true)
        }
        buffer.moveReaderIndex(forwardBy: 7)
        var payload = buffer.readSlice(length: Int(size))!
        buffer.moveReaderIndex(forwardBy: 1)
        return try Self.decodePayload(type: type, channel: channel, payload: &payload)
    }

    /// Decodes what is left at EOF; a partial frame at EOF is simply dropped with the socket.
    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> AMQPFrame? {
        try self.decode(buffer: &buffer)
    }

    private static func decodePayload(
        type: UInt8, channel: UInt16, payload: inout ByteBuffer
    ) throws(AMQPError) -> AMQPFrame {
        do throws(AMQPError) {
            switch type {
            case AMQPConstants.frameMethod:
                return AMQPFrame(channel: channel, payload: .method(try AMQPMethod.decode(from: &payload)))
            case AMQPConstants.frameHeader:
                return AMQPFrame(channel: channel, payload: .header(try AMQPContentHeader.decode(from: &payload)))
            case AMQPConstants.frameBody:
                return AMQPFrame(channel: channel, payload: .body(payload))
            default:
                guard channel == 0 else {
                    throw AMQPError(code: .frameError, message: "heartbeat on channel \(channel)")
                }
                return AMQPFrame(channel: 0, payload: .heartbeat)
            }
        } catch {
            var error = error
            error.closedConnection = true
            throw error
        }
    }
}
