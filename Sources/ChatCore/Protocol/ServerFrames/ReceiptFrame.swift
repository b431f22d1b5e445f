/// `receipt`: `user` has read the conversation up to `seq`.
///
/// For a room it carries `room`; for a direct conversation, `peer` is the other party from the
/// recipient's point of view.
public struct ReceiptFrame: Encodable, Sendable {
    public let type = "receipt"
    public var room: String?
    public var peer: String?
    public var user: String
    public var seq: Int64

    public init(room: String?, peer: String?, user: String, seq: Int64) {
        self.room = room
        self.peer = peer
        self.user = user
        self.seq = seq
    }
}
