import NIOCore

/// A reassembled `basic.deliver` with its properties and body, before it is bound to a channel.
struct InboundMessage: Sendable {
    var deliver: AMQPMethod.Basic.Deliver
    var properties: AMQPBasicProperties
    var body: ByteBuffer
}
