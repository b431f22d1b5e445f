/// Something the application may want to know about the connection's life.
///
/// Delivered on `AMQPConnection.events`. Resource alarms (`blocked`) matter to publishers: the
/// broker stops reading from the socket until `unblocked`. Recovery events let the app re-sync
/// state (for example re-subscribe a chat node after `queueRenamed`).
public enum AMQPConnectionEvent: Sendable, Hashable {
    /// The broker stopped accepting publishes (memory or disk alarm); `reason` explains why.
    case blocked(reason: String)
    /// The broker accepts publishes again.
    case unblocked
    /// The connection dropped; recovery starts when enabled.
    case connectionLost(reason: String)
    /// A recovery attempt failed; another follows after a backoff.
    case recoveryAttemptFailed(attempt: Int, reason: String)
    /// A server-named queue was redeclared during recovery and got a new name.
    case queueRenamed(from: String, to: String)
    /// The connection, its channels, topology and consumers are back.
    case recovered
    /// Recovery gave up; the connection is closed.
    case recoveryFailed(reason: String)
    /// The connection closed for good (by the application, or after an unrecoverable error).
    case closed
}
