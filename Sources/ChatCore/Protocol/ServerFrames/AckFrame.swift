/// `ack`: the sender's message is stored and the broker confirmed it; it will not be lost.
///
/// Sent only to the sender. A retried `send` with the same `cid` gets the same `id` and `seq`
/// with `duplicate: true`.
public struct AckFrame: Encodable, Sendable {
    public let type = "ack"
    public var cid: String
    public var id: String
    public var seq: Int64
    public var ts: Int64
    public var room: String?
    public var to: String?
    public var duplicate: Bool?

    public init(cid: String, id: String, seq: Int64, ts: Int64, room: String?, to: String?, duplicate: Bool) {
        self.cid = cid
        self.id = id
        self.seq = seq
        self.ts = ts
        self.room = room
        self.to = to
        self.duplicate = duplicate ? true : nil
    }
}
