/// The bridge from the event loop to a consumer's async sequence.
///
/// Deliveries are yielded into an unbounded `AsyncThrowingStream`; the bound is the channel's
/// prefetch (with manual acks the broker never has more than `prefetchCount` unacked messages
/// out), which is why consumers should set `qos`.
final class ConsumerStream: ConsumerSink {
    let tag: String
    let stream: AsyncThrowingStream<AMQPDelivery, any Error>
    private let continuation: AsyncThrowingStream<AMQPDelivery, any Error>.Continuation
    private let channel: AMQPChannel

    init(tag: String, channel: AMQPChannel) {
        self.tag = tag
        self.channel = channel
        (self.stream, self.continuation) = AsyncThrowingStream.makeStream()
        self.continuation.onTermination = { [weak channel] termination in
            // The application stopped iterating: tell the broker to stop delivering.
            guard case .cancelled = termination, let channel else { return }
            channel.cancelAbandonedConsumer(tag)
        }
    }

    func deliver(_ message: InboundMessage, generation: UInt64) {
        let delivery = AMQPDelivery(
            exchange: message.deliver.exchange,
            routingKey: message.deliver.routingKey,
            deliveryTag: message.deliver.deliveryTag,
            redelivered: message.deliver.redelivered,
            consumerTag: message.deliver.consumerTag,
            properties: message.properties,
            body: message.body,
            channel: self.channel,
            generation: generation
        )
        self.continuation.yield(delivery)
    }

    func finish(error: AMQPError?) {
        self.channel.removeConsumer(self.tag)
        if let error {
            self.continuation.finish(throwing: error)
        } else {
            self.continuation.finish()
        }
    }

    func connectionLost(_ error: AMQPError) {
        // With recovery the consumer is resumed on the new connection; without it, it ends.
        guard !self.channel.connection.configuration.recovery.isEnabled else { return }
        self.finish(error: error)
    }
}
