public import NIOCore

/// Writes `AMQPFrame`s and whole messages to bytes.
///
/// Not a channel handler: the connection handler owns it so it can change `frameMax` after
/// tuning. Message bodies are split into body frames of at most `frameMax` bytes, framing
/// included, as the spec requires.
public struct AMQPFrameEncoder: Sendable {
    /// The negotiated maximum frame size, framing included (0 means no limit).
    public var frameMax: UInt32

    /// Creates an encoder; before tuning the spec's minimum frame size applies.
    public init(frameMax: UInt32 = AMQPConstants.frameMinSize) {
        self.frameMax = frameMax
    }

    /// Appends one frame.
    public func encode(_ frame: AMQPFrame, into buffer: inout ByteBuffer) throws(AMQPError) {
        buffer.writeInteger(frame.type)
        buffer.writeInteger(frame.channel)
        let sizeIndex = buffer.writerIndex
        buffer.writeInteger(UInt32(0))
        switch frame.payload {
        case .method(let method): try method.encode(into: &buffer)
        case .header(let header): try header.encode(into: &buffer)
        case .body(var body): buffer.writeBuffer(&body)
        case .heartbeat: break
        }
        buffer.setInteger(UInt32(buffer.writerIndex - sizeIndex - 4), at: sizeIndex)
        buffer.writeInteger(AMQPConstants.frameEnd)
    }

    /// Appends a content-carrying method, its header and its body split into body frames.
    public func encodeContent(
        channel: UInt16,
        method: AMQPMethod,
        properties: AMQPBasicProperties,
        body: ByteBuffer,
        into buffer: inout ByteBuffer
    ) throws(AMQPError) {
        try self.encode(AMQPFrame(channel: channel, payload: .method(method)), into: &buffer)
        let header = AMQPContentHeader(bodySize: UInt64(body.readableBytes), properties: properties)
        try self.encode(AMQPFrame(channel: channel, payload: .header(header)), into: &buffer)
        let chunk = self.frameMax == 0 ? Int.max : Int(self.frameMax) - AMQPFrame.overhead
        var remaining = body
        buffer.reserveCapacity(
            minimumWritableBytes: body.readableBytes + (body.readableBytes / max(chunk, 1) + 1) * AMQPFrame.overhead)
        while remaining.readableBytes > 0 {
            var slice = remaining.readSlice(length: min(chunk, remaining.readableBytes))!
            buffer.writeInteger(AMQPConstants.frameBody)
            buffer.writeInteger(channel)
            buffer.writeInteger(UInt32(slice.readableBytes))
            buffer.writeBuffer(&slice)
            buffer.writeInteger(AMQPConstants.frameEnd)
        }
    }

    /// The 8-byte protocol header a client sends first: "AMQP" 0 0 9 1.
    public static let protocolHeader: [UInt8] = [0x41, 0x4D, 0x51, 0x50, 0, 0, 9, 1]
}
