import NIOCore

/// Where and when the next reconnect attempt goes: a value-type state machine of the recovery
/// loop, testable without sockets.
///
/// Endpoints are tried in turn, starting after the one that was lost (in a cluster it is likely
/// the one that died). While some endpoint of the current round is still untried, the next one
/// is tried at once. Once every endpoint failed, the round's failures decide the delay
/// (`AMQPConnection.Configuration.Recovery`): all refused the TCP connection → the probe
/// interval; at least one was reached and failed → exponential backoff over such rounds.
struct RecoverySchedule: Sendable {
    /// What the next attempt does.
    struct Attempt: Sendable, Equatable {
        /// 1-based, over the whole recovery.
        var number: Int
        /// Index into the configuration's `endpoints`.
        var endpoint: Int
        var delay: TimeAmount
    }

    /// How an attempt failed.
    enum Failure: Sendable, Equatable {
        /// The TCP connection was refused or timed out: nothing answered there.
        case unreachable
        /// The broker answered and the handshake or the restore failed.
        case reached
    }

    let policy: AMQPConnection.Configuration.Recovery
    let endpointCount: Int
    private(set) var attempts = 0
    private var nextEndpoint: Int
    /// Endpoints tried in the current round.
    private var triedInRound = 0
    /// Whether some endpoint of the current round was reached and failed.
    private var roundReachedBroker = false
    /// Rounds in which a broker was reached and failed, for the exponential backoff.
    private var costlyRounds = 0
    private var nextDelay: TimeAmount

    /// Starts recovering after losing the connection to endpoint `lost`.
    init(policy: AMQPConnection.Configuration.Recovery, endpointCount: Int, lost: Int) {
        precondition(endpointCount > 0, "a connection has at least one endpoint")
        self.policy = policy
        self.endpointCount = endpointCount
        self.nextEndpoint = (lost + 1) % endpointCount
        self.nextDelay = policy.backoff(attempt: 1)
    }

    /// The next attempt, or nil when `maximumAttempts` are used up.
    mutating func next() -> Attempt? {
        if let maximum = policy.maximumAttempts, attempts >= maximum { return nil }
        attempts += 1
        return Attempt(number: attempts, endpoint: nextEndpoint, delay: nextDelay)
    }

    /// The attempt just returned by `next()` failed.
    mutating func failed(_ failure: Failure) {
        nextEndpoint = (nextEndpoint + 1) % endpointCount
        triedInRound += 1
        if failure == .reached { roundReachedBroker = true }
        guard triedInRound >= endpointCount else {
            nextDelay = .zero
            return
        }
        if roundReachedBroker {
            costlyRounds += 1
            nextDelay = policy.backoff(attempt: costlyRounds)
        } else {
            nextDelay = policy.probeDelay()
        }
        triedInRound = 0
        roundReachedBroker = false
    }
}
