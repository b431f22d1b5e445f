/// How fast and how long clients may talk: the inbound rate limits and session timeouts every
/// transport gets from the `Hub`.
///
/// The `Hub` enforces them for every transport alike (native WebSocket and every SockJS
/// transport pass through `Hub.receive`), so one flood policy covers them all.
public struct InboundLimits: Sendable, Equatable {
    /// Sustained inbound frames per second on one connection.
    public var connectionFramesPerSecond: Double
    /// Burst of inbound frames one connection may send at once.
    public var connectionBurst: Int
    /// Sustained inbound frames per second of one user over all their connections on this node.
    public var userFramesPerSecond: Double
    /// Burst of inbound frames of one user over all their connections on this node.
    public var userBurst: Int
    /// How many `rate_limited` refusals a connection may collect before it is closed with 1008.
    ///
    /// The allowance is itself a token bucket refilled at one per second, so a client that
    /// overshoots now and then is only told `rate_limited`, while one that keeps flooding is cut.
    public var refusalsBeforeClose: Int
    /// How long a new connection has to send `hello` before it is closed (4001); zero disables.
    public var helloTimeout: Duration
    /// How long a connection may send no inbound frame before it is closed (4002); zero disables.
    ///
    /// Clients keep a quiet connection open with the protocol's `ping` (the web client sends one
    /// every 20 s); WebSocket-level pings do not count.
    public var idleTimeout: Duration

    /// Creates limits; every default is the documented server default.
    public init(
        connectionFramesPerSecond: Double = 20, connectionBurst: Int = 40,
        userFramesPerSecond: Double = 50, userBurst: Int = 100, refusalsBeforeClose: Int = 50,
        helloTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(300)
    ) {
        self.connectionFramesPerSecond = connectionFramesPerSecond
        self.connectionBurst = connectionBurst
        self.userFramesPerSecond = userFramesPerSecond
        self.userBurst = userBurst
        self.refusalsBeforeClose = refusalsBeforeClose
        self.helloTimeout = helloTimeout
        self.idleTimeout = idleTimeout
    }
}
