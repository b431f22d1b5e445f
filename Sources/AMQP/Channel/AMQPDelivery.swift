public import NIOCore

/// A message delivered to a consumer (or fetched with `basic.get`).
///
/// Carries its channel so that `ack()`, `nack()` and `reject()` need nothing else. They return
/// once the frame is queued for the socket, without a thread hop to wait for the write: a
/// settle that can no longer be delivered is dropped, and the broker redelivers the message.
/// Delivery tags are only valid on the connection that issued them, so after recovery settling
/// an old delivery is dropped too, instead of acknowledging an unrelated message.
public struct AMQPDelivery: Sendable {
    /// The exchange the message was published to ("" for the default exchange).
    public var exchange: String
    /// The routing key it was published with.
    public var routingKey: String
    /// The broker's tag for this delivery on its channel.
    public var deliveryTag: UInt64
    /// Whether the broker delivered this message before (a previous consumer did not ack it).
    public var redelivered: Bool
    /// The consumer it was delivered to ("" for basic.get).
    public var consumerTag: String
    /// The message properties.
    public var properties: AMQPBasicProperties
    /// The message body.
    public var body: ByteBuffer

    let channel: AMQPChannel
    let generation: UInt64

    /// Acknowledges the delivery (and, with `multiple`, every earlier one on the channel).
    ///
    /// `nonisolated(nonsending)`: runs on the caller's executor, so acking from an actor (the
    /// main actor included) costs no executor hop.
    nonisolated(nonsending) public func ack(multiple: Bool = false) async throws {
        self.channel.settle(
            .basic(.ack(.init(deliveryTag: self.deliveryTag, multiple: multiple))),
            generation: self.generation
        )
    }

    /// Rejects the delivery (and, with `multiple`, every earlier one), requeueing by default.
    nonisolated(nonsending) public func nack(multiple: Bool = false, requeue: Bool = true) async throws {
        self.channel.settle(
            .basic(.nack(.init(deliveryTag: self.deliveryTag, multiple: multiple, requeue: requeue))),
            generation: self.generation
        )
    }

    /// Rejects the delivery, requeueing by default.
    nonisolated(nonsending) public func reject(requeue: Bool = true) async throws {
        self.channel.settle(
            .basic(.reject(.init(deliveryTag: self.deliveryTag, requeue: requeue))),
            generation: self.generation
        )
    }
}
