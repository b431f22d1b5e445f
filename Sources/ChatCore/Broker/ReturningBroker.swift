/// A broker that tells the publisher when a message reached nobody.
///
/// SockJS forwarding rests on it: a request for a session is published "mandatory" to the
/// session's routing key, which only the owning node binds. Coming back means, exactly and
/// without waiting for a timeout, that no node owns the session.
public protocol ReturningBroker: Broker {
    /// Publishes `message` without waiting for a confirm; when no binding matches its topic it
    /// comes back to `consumeReturns(_:)`.
    func publishMandatory(_ message: BrokerMessage) throws

    /// Hands each mandatory message that reached nobody to `handler`, as it was published, until
    /// the task is cancelled or the broker shuts down. One consumer at a time.
    func consumeReturns(_ handler: @escaping @Sendable (BrokerMessage) async -> Void) async
}
