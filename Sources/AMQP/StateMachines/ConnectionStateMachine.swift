import NIOCore

/// The connection-level protocol (channel 0) as a value type: handshake, tuning, heartbeats,
/// flow control and the close handshake.
///
/// Every event is a `mutating` method returning an `Action` for `AMQPConnectionHandler` to
/// perform; the state machine itself does no I/O and reads no clock (times are passed in), so
/// it is tested as a plain value (the postgres-nio `ConnectionStateMachine` pattern).
struct ConnectionStateMachine {
    /// What the client asks for and authenticates with.
    struct Parameters: Sendable {
        var user: String
        var password: String
        var virtualHost: String
        var clientProperties: AMQPTable
        var channelMax: UInt16
        var frameMax: UInt32
        var heartbeat: UInt16
    }

    /// The values both sides agreed on during `connection.tune`.
    struct Tuning: Sendable, Hashable {
        var channelMax: UInt16
        var frameMax: UInt32
        var heartbeat: UInt16
    }

    enum State {
        case initialized
        case awaitingStart
        case awaitingTune
        case awaitingOpenOk(Tuning)
        case open(Tuning)
        case closing
        case closed
    }

    enum Action: Equatable {
        case none
        case sendProtocolHeader
        case send(AMQPMethod)
        /// Tuning agreed: apply frame_max, start heartbeats, send tune-ok and connection.open.
        case tuned(Tuning, tuneOk: AMQPMethod, open: AMQPMethod)
        case established(Tuning, serverProperties: AMQPTable)
        case blocked(reason: String)
        case unblocked
        case sendHeartbeat
        /// The broker closed the connection: answer close-ok, then close the socket.
        case replyCloseOkAndClose(AMQPError)
        /// A protocol error on our side of the wire: tell the broker, then close the socket.
        case sendCloseAndClose(AMQPMethod, AMQPError)
        /// Our close was acknowledged (or nothing was open): close the socket.
        case closeSocket
        /// The connection is dead (missed heartbeats): close the socket without a handshake.
        case fail(AMQPError)

        static func == (lhs: Action, rhs: Action) -> Bool {
            switch (lhs, rhs) {
            case (.none, .none), (.sendProtocolHeader, .sendProtocolHeader), (.unblocked, .unblocked),
                (.sendHeartbeat, .sendHeartbeat), (.closeSocket, .closeSocket):
                true
            case (.send(let a), .send(let b)): a == b
            case (.tuned(let a, let b, let c), .tuned(let d, let e, let f)): a == d && b == e && c == f
            case (.established(let a, let b), .established(let c, let d)): a == c && b == d
            case (.blocked(let a), .blocked(let b)): a == b
            case (.replyCloseOkAndClose(let a), .replyCloseOkAndClose(let b)):
                a.code == b.code && a.message == b.message
            case (.sendCloseAndClose(let a, let b), .sendCloseAndClose(let c, let d)): a == c && b.code == d.code
            case (.fail(let a), .fail(let b)): a.code == b.code
            default: false
            }
        }
    }

    private(set) var state: State = .initialized
    let parameters: Parameters
    private var serverProperties: AMQPTable = [:]
    private var lastReceived: NIODeadline = .uptimeNanoseconds(0)
    private var lastSent: NIODeadline = .uptimeNanoseconds(0)

    init(parameters: Parameters) {
        self.parameters = parameters
    }

    /// The agreed tuning, once known.
    var tuning: Tuning? {
        switch self.state {
        case .awaitingOpenOk(let tuning), .open(let tuning): tuning
        default: nil
        }
    }

    var isOpen: Bool {
        if case .open = self.state { return true }
        return false
    }

    // MARK: Events

    mutating func connected(now: NIODeadline) -> Action {
        guard case .initialized = self.state else {
            preconditionFailure("connected() in state \(self.state)")
        }
        self.state = .awaitingStart
        self.lastReceived = now
        self.lastSent = now
        return .sendProtocolHeader
    }

    /// Any frame arrived: the peer is alive.
    mutating func frameReceived(now: NIODeadline) {
        self.lastReceived = now
    }

    /// Bytes were written: no heartbeat is needed for a while.
    mutating func frameSent(now: NIODeadline) {
        self.lastSent = now
    }

    /// The heartbeat timer fired.
    ///
    /// Two silent intervals from the broker make the connection dead (the spec's rule); an
    /// idle half-interval on our side sends a heartbeat so the broker never sees us as silent.
    mutating func heartbeatTimerFired(now: NIODeadline) -> Action {
        guard case .open(let tuning) = self.state, tuning.heartbeat > 0 else { return .none }
        let interval = TimeAmount.seconds(Int64(tuning.heartbeat))
        if now - self.lastReceived > interval * 2 {
            self.state = .closed
            return .fail(
                AMQPError(
                    code: .heartbeatTimeout,
                    message: "no frame from the broker for \(2 * Int(tuning.heartbeat)) s (two heartbeat intervals)",
                    closedConnection: true
                )
            )
        }
        if now - self.lastSent >= TimeAmount.nanoseconds(interval.nanoseconds / 2) {
            self.lastSent = now
            return .sendHeartbeat
        }
        return .none
    }

    mutating func methodReceived(_ method: AMQPMethod.Connection) -> Action {
        switch (self.state, method) {
        case (.awaitingStart, .start(let start)):
            let mechanisms = start.mechanisms.split(separator: " ")
            guard mechanisms.contains("PLAIN") else {
                return self.protocolError(
                    .notImplemented, "broker offers no PLAIN authentication (\(start.mechanisms))")
            }
            self.state = .awaitingTune
            self.serverProperties = start.serverProperties
            let response = "\u{0}\(self.parameters.user)\u{0}\(self.parameters.password)"
            return .send(
                .connection(
                    .startOk(
                        .init(
                            clientProperties: self.parameters.clientProperties,
                            mechanism: "PLAIN",
                            response: response,
                            locale: "en_US"
                        )
                    )
                )
            )

        case (.awaitingTune, .tune(let tune)):
            let tuning = Tuning(
                channelMax: Self.negotiate(self.parameters.channelMax, tune.channelMax),
                frameMax: Self.negotiate(self.parameters.frameMax, tune.frameMax),
                heartbeat: Self.negotiateHeartbeat(client: self.parameters.heartbeat, server: tune.heartbeat)
            )
            self.state = .awaitingOpenOk(tuning)
            return .tuned(
                tuning,
                tuneOk: .connection(
                    .tuneOk(
                        .init(channelMax: tuning.channelMax, frameMax: tuning.frameMax, heartbeat: tuning.heartbeat))
                ),
                open: .connection(.open(.init(virtualHost: self.parameters.virtualHost)))
            )

        case (.awaitingOpenOk(let tuning), .openOk):
            self.state = .open(tuning)
            return .established(tuning, serverProperties: self.serverProperties)

        case (.open, .blocked(let blocked)):
            return .blocked(reason: blocked.reason)

        case (.open, .unblocked):
            return .unblocked

        case (.closing, .closeOk):
            self.state = .closed
            return .closeSocket

        case (.closed, _):
            return .none

        case (_, .close(let close)):
            self.state = .closed
            return .replyCloseOkAndClose(
                AMQPError(
                    code: AMQPError.Code(replyCode: close.replyCode),
                    message: close.replyText,
                    classID: close.classID,
                    methodID: close.methodID,
                    closedConnection: true
                )
            )

        case (.closing, _):
            // Everything but close-ok is discarded after we sent connection.close (spec 2.2.4).
            return .none

        default:
            return self.protocolError(.unexpectedFrame, "unexpected \(method.name) on channel 0")
        }
    }

    /// The application asked to close.
    mutating func closeRequested() -> Action {
        switch self.state {
        case .open, .awaitingOpenOk:
            self.state = .closing
            return .send(.connection(.close(.init(replyCode: 200, replyText: "Goodbye", classID: 0, methodID: 0))))
        case .initialized, .awaitingStart, .awaitingTune:
            self.state = .closed
            return .closeSocket
        case .closing, .closed:
            return .none
        }
    }

    /// Undecodable input or a protocol violation: close the connection with `error`'s reply code.
    mutating func protocolErrorOccurred(_ error: AMQPError) -> Action {
        switch self.state {
        case .closed:
            return .none
        default:
            self.state = .closed
            let replyCode = error.replyCode ?? 541
            return .sendCloseAndClose(
                .connection(
                    .close(
                        .init(
                            replyCode: replyCode, replyText: String(error.message.prefix(255)), classID: 0, methodID: 0)
                    )),
                error
            )
        }
    }

    /// The socket closed.
    mutating func socketClosed() {
        self.state = .closed
    }

    // MARK: Helpers

    private mutating func protocolError(_ code: AMQPError.Code, _ message: String) -> Action {
        self.protocolErrorOccurred(AMQPError(code: code, message: message, closedConnection: true))
    }

    /// The smaller of two limits where 0 means "no limit".
    static func negotiate<Value: FixedWidthInteger>(_ client: Value, _ server: Value) -> Value {
        if client == 0 { return server }
        if server == 0 { return client }
        return min(client, server)
    }

    /// Heartbeat: 0 from one side defers to the other; otherwise the smaller interval wins.
    static func negotiateHeartbeat(client: UInt16, server: UInt16) -> UInt16 {
        if client == 0 || server == 0 { return max(client, server) }
        return min(client, server)
    }
}
