/// A server frame with a hand-written JSON encoder (`JSONWriter`), used instead of `Encodable`
/// on the hot path; `ServerFrameEncoder` prefers it.
public protocol HandEncodedFrame: Encodable {
    /// Writes the frame's members (the same as its `Encodable` form).
    func write(to writer: inout JSONWriter)
}

extension MessageFrame: HandEncodedFrame {
    public func write(to writer: inout JSONWriter) {
        writer.field("type", type)
        writer.field("room", room)
        writer.field("to", to)
        writer.field("id", id)
        writer.field("seq", seq)
        writer.field("from", from)
        // An `update` entry has no text of its own: the change is in `update`.
        if update == nil { writer.field("text", text) }
        writer.field("ts", ts)
        writer.field("event", event)
        writer.field("update", update)
        writer.field("replyTo", replyTo)
        writer.field("editedAt", editedAt)
        writer.field("deletedBy", deletedBy)
        if let reactions { writer.field("reactions", reactions) }
        writer.field("mentions", mentions)
        if let attachments { writer.field("attachments", attachments) }
    }
}

extension JoinedFrame: HandEncodedFrame {
    public func write(to writer: inout JSONWriter) {
        writer.field("type", type)
        writer.field("room", room)
        writer.field("epoch", epoch)
        writer.field("members", members)
        writer.field("online", Int64(online))
        writer.field("membersComplete", membersComplete)
        writer.field("lastSeq", lastSeq)
        writer.field("messages", messages)
        writer.field("recovered", recovered)
        writer.field("reason", reason)
        writer.field("readSeq", readSeq)
        if let reads { writer.field("reads", reads) }
        writer.field("readsComplete", readsComplete)
    }
}

extension AckFrame: HandEncodedFrame {
    public func write(to writer: inout JSONWriter) {
        writer.field("type", type)
        writer.field("cid", cid)
        writer.field("id", id)
        writer.field("seq", seq)
        writer.field("ts", ts)
        writer.field("room", room)
        writer.field("to", to)
        writer.field("duplicate", duplicate)
    }
}

extension TypingNoticeFrame: HandEncodedFrame {
    public func write(to writer: inout JSONWriter) {
        writer.field("type", type)
        writer.field("room", room)
        writer.field("to", to)
        writer.field("user", user)
        writer.field("state", state.rawValue)
    }
}

extension PresenceFrame: HandEncodedFrame {
    public func write(to writer: inout JSONWriter) {
        writer.field("type", type)
        writer.field("room", room)
        writer.field("user", user)
        writer.field("event", event.rawValue)
        writer.field("online", Int64(online))
        writer.field("joined", joined)
        writer.field("left", left)
    }
}

extension ReceiptFrame: HandEncodedFrame {
    public func write(to writer: inout JSONWriter) {
        writer.field("type", type)
        writer.field("room", room)
        writer.field("peer", peer)
        writer.field("user", user)
        writer.field("seq", seq)
    }
}

extension PongFrame: HandEncodedFrame {
    public func write(to writer: inout JSONWriter) {
        writer.field("type", type)
        writer.field("id", id)
        writer.field("ts", ts)
    }
}

extension JoinedFrame.Reader: HandEncodedFrame {
    public func write(to writer: inout JSONWriter) {
        writer.field("user", user)
        writer.field("seq", seq)
    }
}
