/// Where a consumer's deliveries go; implemented by the consumer's async stream.
///
/// A protocol so the channel state machine can be tested with a recording sink. Called only on
/// the connection's event loop.
protocol ConsumerSink: AnyObject, Sendable {
    /// A delivery for this consumer arrived on the connection numbered `generation`.
    func deliver(_ message: InboundMessage, generation: UInt64)
    /// The consumer ended: `nil` after our own basic.cancel, an error otherwise.
    func finish(error: AMQPError?)
    /// The connection under the consumer was lost; with recovery the consumer resumes later.
    func connectionLost(_ error: AMQPError)
}
