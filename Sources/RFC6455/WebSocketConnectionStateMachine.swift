/// The close handshake and the keepalive of one server WebSocket connection (RFC 6455 §5.5, §7), without I/O.
///
/// Each event returns what the channel handler must do; the handler does all the I/O.
package struct WebSocketConnectionStateMachine {
    package enum State: Equatable {
        /// Frames flow. `awaitingPong`: a keepalive ping is out and unanswered.
        case open(awaitingPong: Bool)
        /// A close is decided; the frames queued before it go out first, then the close frame.
        case closeQueued(code: UInt16, reason: String)
        /// Our close frame is out; waiting for the client's (or the close timeout).
        case closeSent
        /// The channel is closed or closing; nothing more happens.
        case closed
    }

    /// What the handler does next.
    package enum Action: Equatable {
        case none
        /// Write the close frame now (nothing is queued before it).
        case sendClose(code: UInt16, reason: String)
        /// Wait until the queued frames are written, then `queuedFramesWritten`.
        case waitForQueuedFrames
        /// Answer the client's close with the same code, then close the channel.
        case echoCloseAndCloseChannel(code: UInt16)
        /// Close the TCP connection.
        case closeChannel
        /// Send a keepalive ping.
        case sendPing
        /// Answer the client's ping with this payload.
        case sendPong
    }

    package private(set) var state: State = .open(awaitingPong: false)

    package init() {}

    /// Whether frames may still be written.
    package var acceptsFrames: Bool {
        if case .open = state { return true }
        return false
    }

    /// Someone decided to close (the hub, a protocol violation, shutdown, an overflow).
    package mutating func closeRequested(code: UInt16, reason: String, framesQueued: Bool) -> Action {
        guard case .open = state else { return .none }
        if framesQueued {
            state = .closeQueued(code: code, reason: reason)
            return .waitForQueuedFrames
        }
        state = .closeSent
        return .sendClose(code: code, reason: reason)
    }

    /// The frames queued before a close went out.
    package mutating func queuedFramesWritten() -> Action {
        guard case .closeQueued(let code, let reason) = state else { return .none }
        state = .closeSent
        return .sendClose(code: code, reason: reason)
    }

    /// The client sent a close frame (with `code`, or none).
    package mutating func closeReceived(code: UInt16?) -> Action {
        switch state {
        case .open, .closeQueued:
            state = .closed
            // 1005 means "no code"; it must not be sent back (RFC 6455 §7.4.1).
            return .echoCloseAndCloseChannel(code: code.flatMap { $0 == 1005 ? nil : $0 } ?? 1000)
        case .closeSent:
            state = .closed
            return .closeChannel
        case .closed:
            return .none
        }
    }

    /// The client answered a ping.
    package mutating func pongReceived() {
        if case .open(true) = state { state = .open(awaitingPong: false) }
    }

    /// The client pinged us.
    package func pingReceived() -> Action {
        if case .open = state { return .sendPong }
        return .none
    }

    /// The keepalive period passed: ping, or give up on a client that did not answer the last one.
    package mutating func keepaliveTimerFired() -> Action {
        switch state {
        case .open(awaitingPong: false):
            state = .open(awaitingPong: true)
            return .sendPing
        case .open(awaitingPong: true):
            state = .closeSent
            return .sendClose(code: 1001, reason: "ping timeout")
        case .closeQueued, .closeSent, .closed:
            return .none
        }
    }

    /// The close timeout passed, or the client vanished: the connection ends now.
    package mutating func closeTimedOut() -> Action {
        guard state != .closed else { return .none }
        state = .closed
        return .closeChannel
    }

    /// The channel went inactive.
    package mutating func channelClosed() {
        state = .closed
    }
}
