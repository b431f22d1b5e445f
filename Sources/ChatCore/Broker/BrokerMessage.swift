public import NIOCore

/// One message on the broker: a routing key and an opaque payload.
public struct BrokerMessage: Sendable, Equatable {
    /// The routing key, e.g. `room.lobby.msg`.
    public var topic: String
    /// The encoded event.
    public var payload: ByteBuffer

    public init(topic: String, payload: ByteBuffer) {
        self.topic = topic
        self.payload = payload
    }
}
