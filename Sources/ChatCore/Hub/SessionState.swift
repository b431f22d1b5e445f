import NIOCore

/// What the `Hub` knows about one connected client.
///
/// A class, owned by the hub actor and never shared outside it: fan-out reads and updates a
/// session's room stream for every delivery, and as a struct in the `sessions` dictionary each
/// `sessions[id]?.rooms[room]` read copied the whole state (its dictionaries retained and
/// released) — 15 % of the CPU of a broadcast in a profile.
final class SessionState {
    /// A room the session is in.
    enum RoomSubscription {
        /// `join` is fetching the backlog; live messages wait here, in order, until the
        /// `joined` frame has gone out, so the client sees no gap and no duplicate.
        case joining(buffered: [(seq: Int64, frame: ByteBuffer)])
        /// Live; messages with `seq <= lastSeq` were already delivered and are skipped.
        case live(lastSeq: Int64)
        /// A live message skipped `seq`s after `after` (lost by a broker outage, or published
        /// out of order by another node); the missing ones are being read from the store and
        /// live messages wait here meanwhile.
        case repairing(after: Int64, buffered: [(seq: Int64, frame: ByteBuffer)])

        /// Whether `joined` has not been sent yet.
        var isJoining: Bool {
            if case .joining = self { return true }
            return false
        }
    }

    let id: SessionID
    /// Where the session's frames go (the transport's side).
    let sink: any SessionSink
    /// Set by `hello`.
    var user: String?
    /// Set when a `hello` arrives, before its token or name is checked: the hello timeout is
    /// about the client saying hello, not about how long a loaded account store takes to answer.
    var helloReceived = false
    var rooms: [String: RoomSubscription] = [:]
    /// Last `seq` delivered per direct conversation key, to skip duplicates of retried sends.
    var directLastSeq: [String: Int64] = [:]
    /// Monotonic time of the last accepted typing start per conversation key (throttle).
    var lastTypingStart: [String: Int64] = [:]
    /// Inbound frame allowance of this connection.
    var frameBucket: TokenBucket
    /// How many more `rate_limited` refusals the connection may collect before it is closed.
    var refusalBucket: TokenBucket
    /// Monotonic time the connection opened (hello timeout), in milliseconds.
    let connectedMillis: Int64
    /// Monotonic time of the last inbound frame (idle timeout), in milliseconds.
    var lastInboundMillis: Int64

    init(id: SessionID, sink: any SessionSink, inbound: InboundLimits, nowMillis: Int64) {
        self.id = id
        self.sink = sink
        self.frameBucket = TokenBucket(
            capacity: inbound.connectionBurst, refillPerSecond: inbound.connectionFramesPerSecond, nowMillis: nowMillis)
        self.refusalBucket = TokenBucket(
            capacity: inbound.refusalsBeforeClose, refillPerSecond: 1, nowMillis: nowMillis)
        self.connectedMillis = nowMillis
        self.lastInboundMillis = nowMillis
    }
}
