public import NIOCore

/// One AMQP frame: a channel number and a typed payload.
///
/// The codec's unit of work. Methods that carry content (publish, deliver, get-ok, return)
/// arrive as a method frame followed by a header frame and zero or more body frames; the
/// channel state machine reassembles them.
public struct AMQPFrame: Sendable, Hashable {
    /// What a frame carries.
    public enum Payload: Sendable, Hashable {
        /// A method frame (type 1).
        case method(AMQPMethod)
        /// A content-header frame (type 2).
        case header(AMQPContentHeader)
        /// A content-body frame (type 3): a slice of the message body.
        case body(ByteBuffer)
        /// A heartbeat frame (type 8), always on channel 0.
        case heartbeat
    }

    /// The channel the frame belongs to; 0 is the connection itself.
    public var channel: UInt16
    /// The frame's payload.
    public var payload: Payload

    /// Creates a frame.
    public init(channel: UInt16, payload: Payload) {
        self.channel = channel
        self.payload = payload
    }

    /// The frame type octet for the payload.
    public var type: UInt8 {
        switch self.payload {
        case .method: AMQPConstants.frameMethod
        case .header: AMQPConstants.frameHeader
        case .body: AMQPConstants.frameBody
        case .heartbeat: AMQPConstants.frameHeartbeat
        }
    }

    /// Bytes of framing around the payload: type (1), channel (2), size (4), frame-end (1).
    public static let overhead = 8
}
