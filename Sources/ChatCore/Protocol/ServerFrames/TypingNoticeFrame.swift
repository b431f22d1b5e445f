/// `typing` (server → client): `user` started or stopped typing in `room`, or to you (`to`).
public struct TypingNoticeFrame: Encodable, Sendable {
    public let type = "typing"
    public var room: String?
    public var to: String?
    public var user: String
    public var state: TypingFrame.State

    public init(room: String?, to: String?, user: String, state: TypingFrame.State) {
        self.room = room
        self.to = to
        self.user = user
        self.state = state
    }
}
