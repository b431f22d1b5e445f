/// Every frame a client may send, decoded and shape-checked (but not yet authorised).
public enum ClientFrame: Sendable, Equatable {
    case hello(HelloFrame)
    case join(JoinFrame)
    case leave(LeaveFrame)
    case send(SendFrame)
    case typing(TypingFrame)
    case read(ReadFrame)
    case history(HistoryRequestFrame)
    case ping(PingFrame)

    /// The wire `type` of the frame.
    public var type: String {
        switch self {
        case .hello: "hello"
        case .join: "join"
        case .leave: "leave"
        case .send: "send"
        case .typing: "typing"
        case .read: "read"
        case .history: "history"
        case .ping: "ping"
        }
    }
}
