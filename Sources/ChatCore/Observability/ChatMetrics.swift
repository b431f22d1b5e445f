public import CoreMetrics

/// The node's operational metrics (swift-metrics), exported by the server at `/metrics`.
///
/// They are made from an explicit `MetricsFactory` rather than the process-wide
/// `MetricsSystem`, so every node (tests run several in one process) has its own registry. The
/// default factory is the process-wide one, a no-op unless someone bootstrapped it.
public struct ChatMetrics: Sendable {
    /// The transports that count their connections.
    public enum Transport: String, Sendable {
        case webSocket = "websocket"
        case sockJS = "sockjs"
    }

    /// Open connections on the native WebSocket endpoint.
    public let webSocketConnections: Meter
    /// Open SockJS sessions, every SockJS transport together.
    public let sockJSConnections: Meter
    /// Inbound protocol frames, refused ones included.
    public let framesIn: Counter
    /// Outbound protocol frames written to transports.
    public let framesOut: Counter
    /// Time from a broker delivery to its frames being queued for every local recipient.
    public let fanOutLatency: CoreMetrics.Timer
    /// Time from publishing a chat message to the broker's confirm.
    public let publishConfirmLatency: CoreMetrics.Timer
    /// Broker connection recoveries (RabbitMQ reconnects).
    public let brokerReconnects: Counter
    /// Time of `MessageStore.append`, the store call on every sent message.
    public let storeAppendLatency: CoreMetrics.Timer
    /// Connections closed with 1013 because their bounded outbound queue overflowed.
    public let slowConsumersDropped: Counter
    /// Inbound frames refused with `rate_limited` (or dropped by the 1008 close that follows).
    public let rateLimitedFrames: Counter

    /// Store reads of a room's recent messages for joins without `since`; a burst of joins of one
    /// room shares a read, so this grows slower than the joins.
    public let joinBacklogReads: Counter
    /// Sessions closed (1012) because a gap in a room's stream could not be filled from the
    /// store: they resume with `since` rather than skip a message.
    public let gapRepairFailures: Counter

    /// The metric names, as they appear at `/metrics`.
    public enum Name {
        public static let connections = "rabbitchat_connections"
        public static let framesIn = "rabbitchat_frames_in_total"
        public static let framesOut = "rabbitchat_frames_out_total"
        public static let fanOutLatency = "rabbitchat_fanout_seconds"
        public static let publishConfirmLatency = "rabbitchat_broker_publish_confirm_seconds"
        public static let brokerReconnects = "rabbitchat_broker_reconnects_total"
        public static let storeLatency = "rabbitchat_store_seconds"
        public static let slowConsumersDropped = "rabbitchat_slow_consumers_dropped_total"
        public static let rateLimitedFrames = "rabbitchat_rate_limited_frames_total"
        public static let joinBacklogReads = "rabbitchat_join_backlog_reads_total"
        public static let gapRepairFailures = "rabbitchat_gap_repair_failures_total"
    }

    /// - Parameter factory: where the metrics live (the server passes its Prometheus registry).
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        webSocketConnections = Meter(
            label: Name.connections, dimensions: [("transport", Transport.webSocket.rawValue)], factory: factory)
        sockJSConnections = Meter(
            label: Name.connections, dimensions: [("transport", Transport.sockJS.rawValue)], factory: factory)
        framesIn = Counter(label: Name.framesIn, factory: factory)
        framesOut = Counter(label: Name.framesOut, factory: factory)
        fanOutLatency = CoreMetrics.Timer(label: Name.fanOutLatency, factory: factory)
        publishConfirmLatency = CoreMetrics.Timer(label: Name.publishConfirmLatency, factory: factory)
        brokerReconnects = Counter(label: Name.brokerReconnects, factory: factory)
        storeAppendLatency = CoreMetrics.Timer(
            label: Name.storeLatency, dimensions: [("operation", "append")], factory: factory)
        slowConsumersDropped = Counter(label: Name.slowConsumersDropped, factory: factory)
        rateLimitedFrames = Counter(label: Name.rateLimitedFrames, factory: factory)
        joinBacklogReads = Counter(label: Name.joinBacklogReads, factory: factory)
        gapRepairFailures = Counter(label: Name.gapRepairFailures, factory: factory)
    }

    /// The open-connections gauge of `transport`.
    public func connections(_ transport: Transport) -> Meter {
        switch transport {
        case .webSocket: webSocketConnections
        case .sockJS: sockJSConnections
        }
    }

    /// Counts what a transport's writer did with one outbox item: the frames written.
    ///
    /// A 1013 close is not counted here but by the outbox when it overflows (`Hub.connect`):
    /// the writer of a client that stopped reading is stuck in a write and may never take it.
    public func recordOutbound(_ item: SessionOutbox.Item) {
        if case .frames(let frames) = item {
            framesOut.increment(by: Int64(frames.count))
        }
    }
}

extension CoreMetrics.Timer {
    /// Records the time elapsed since `start`.
    public func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
