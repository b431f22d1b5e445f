/// How a SockJS service reaches HTTP-transport sessions that live on another node.
///
/// An `xhr` session is state in one process, but a plain round-robin load balancer sends the
/// client's next request to any node. A service given a cluster forwards every HTTP-transport
/// request for a session it does not hold to the node that does, and relays the answer; it
/// creates a session only when no node owns it. The cluster decides ownership; the SockJS
/// target knows nothing about how (the chat uses its RabbitMQ broker).
public protocol SockJSCluster: Sendable {
    /// Requests other nodes forwarded to sessions owned here; `SockJSServer.run()` serves them.
    var inbound: AsyncStream<SockJSForwardedExchange> { get }

    /// Sends `request` to the node that owns its session.
    ///
    /// Returns nil, quickly and exactly, when no node owns the session: the caller then serves
    /// the request itself (a receiving transport creates the session, a sending one gets 404).
    /// Throws `SockJSClusterError` when the owner cannot be reached or too many requests are
    /// already in flight.
    func forward(_ request: SockJSForwardedRequest) async throws -> SockJSForwarding?

    /// The node id replies to forwarded requests are addressed to.
    var nodeID: String { get }

    /// Tells the cluster that this node now owns `session`; returns once other nodes route to it.
    func sessionCreated(_ session: String) async throws

    /// Tells the cluster that `session` is gone from this node.
    func sessionRemoved(_ session: String) async
}
