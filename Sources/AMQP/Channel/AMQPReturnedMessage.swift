public import NIOCore

/// A mandatory publish the broker could not route, sent back with `basic.return`.
///
/// Surfaced on `AMQPChannel.returns` so the application learns that nobody received a message
/// it marked `mandatory` (for example, a room with no bound node).
public struct AMQPReturnedMessage: Sendable, Hashable {
    /// Why the message came back (312 NO_ROUTE, 313 NO_CONSUMERS).
    public var replyCode: UInt16
    /// The broker's explanation.
    public var replyText: String
    /// The exchange the message was published to.
    public var exchange: String
    /// The routing key it was published with.
    public var routingKey: String
    /// The message properties.
    public var properties: AMQPBasicProperties
    /// The message body.
    public var body: ByteBuffer
}
