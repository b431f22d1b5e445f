/// A message fetched with `basic.get` (polling instead of a consumer).
public struct AMQPGetResult: Sendable {
    /// The delivery, acknowledged like a consumer's delivery unless fetched with `noAck`.
    public var delivery: AMQPDelivery
    /// Messages still ready in the queue after this one.
    public var messageCount: UInt32
}
