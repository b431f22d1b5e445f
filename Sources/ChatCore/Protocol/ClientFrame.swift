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
    /// `room_create`.
    case roomCreate(RoomSettingsFrame)
    /// `room_update`.
    case roomUpdate(RoomSettingsFrame)
    /// `room_info`.
    case roomInfo(RoomInfoFrame)
    /// `invite`, `kick`, `ban`, `unban`, `mute`, `unmute`, `set_role`.
    case moderate(ModerationFrame)
    /// `edit`, `delete`, `react`.
    case change(MessageChangeFrame)
    /// `watch`.
    case watch(WatchFrame)
    /// `block`.
    case block(BlockFrame)
    /// `unblock`.
    case unblock(BlockFrame)
    /// `bye`: the client is about to close on purpose (sign-out), so presence skips the grace
    /// a reload gets.
    case bye

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
        case .roomCreate: "room_create"
        case .roomUpdate: "room_update"
        case .roomInfo: "room_info"
        case .moderate(let frame): frame.action.rawValue
        case .change(let frame): frame.action.rawValue
        case .watch: "watch"
        case .block: "block"
        case .unblock: "unblock"
        case .bye: "bye"
        }
    }
}
