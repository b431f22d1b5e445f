/// `read_state`: one of the user's sessions marked a conversation read; the user's other
/// sessions, on any node, clear their badges up to `seq` (a user's read position is one, kept by
/// the server, whatever device read).
public struct ReadStateFrame: Encodable, Sendable, Equatable {
    public let type = "read_state"
    public var room: String?
    public var peer: String?
    public var seq: Int64

    public init(room: String?, peer: String?, seq: Int64) {
        self.room = room
        self.peer = peer
        self.seq = seq
    }
}
