/// WebSocket close codes the chat server uses (RFC 6455 §7.4 and the IANA registry).
///
/// SockJS carries the same codes in its close frames, so every transport reports the same reason.
public enum CloseCode: UInt16, Sendable {
    /// Normal closure.
    case normal = 1000
    /// The server is going away for good (shutdown without restart).
    case goingAway = 1001
    /// The client broke the WebSocket protocol (bad fragmentation, a reserved opcode).
    case protocolError = 1002
    /// A text message was not valid UTF-8 (RFC 6455 §8.1: "invalid frame payload data").
    case invalidPayload = 1007
    /// The client broke a rule badly enough (floods, abuse) that the server hangs up.
    case policyViolation = 1008
    /// A frame exceeded the inbound size limit.
    case messageTooBig = 1009
    /// An unexpected server error.
    case internalError = 1011
    /// The server is restarting; reconnect with jitter.
    case serviceRestart = 1012
    /// The client did not read fast enough and its outbound queue overflowed; reconnect later.
    case tryAgainLater = 1013
    /// The client did not send `hello` in time after connecting.
    case helloTimeout = 4001
    /// The client sent no frame for longer than the idle timeout.
    case idleTimeout = 4002
}
