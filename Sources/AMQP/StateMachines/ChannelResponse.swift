import NIOCore

/// The reply to a synchronous channel method, with content for `basic.get-ok`.
struct ChannelResponse: Sendable {
    var method: AMQPMethod
    var properties: AMQPBasicProperties?
    var body: ByteBuffer?
    /// The connection generation that produced the reply (delivery tags are only valid there).
    var generation: UInt64 = 0

    init(method: AMQPMethod, properties: AMQPBasicProperties? = nil, body: ByteBuffer? = nil) {
        self.method = method
        self.properties = properties
        self.body = body
    }
}
