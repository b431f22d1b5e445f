/// Decodes the frames clients send most (`send`, `typing`, `read`, `ping`) without Foundation.
///
/// It answers only when the frame is well formed and `Codable` would decode it to the same
/// value; for anything else (another type, a missing or mistyped field, JSON it is not sure of)
/// it returns nil and `ClientFrameDecoder` takes the `Codable` path, which also names the error
/// precisely. `ClientFrameFastPathTests` checks the agreement on random frames.
enum ClientFrameFastPath {
    static func decode(_ bytes: UnsafeRawBufferPointer) -> ClientFrame? {
        guard let object = FlatJSONObject.parse(bytes), case .string(let type)? = object["type"] else { return nil }
        switch type {
        case "send":
            guard case .string(let cid)? = object["cid"], case .string(let text)? = object["text"],
                let target = target(object, roomKey: "room", userKey: "to")
            else { return nil }
            // Attachments (an array) are Codable's to read; anything else there is its to refuse.
            if let attachments = object["attachments"], attachments != .null { return nil }
            switch object["replyTo"] {
            case nil, .null?: return .send(SendFrame(target: target, text: text, cid: cid))
            case .integer(let replyTo)?: return .send(SendFrame(target: target, text: text, cid: cid, replyTo: replyTo))
            default: return nil  // mistyped: Codable reports it
            }
        case "typing":
            guard case .string(let raw)? = object["state"], let state = TypingFrame.State(rawValue: raw),
                let target = target(object, roomKey: "room", userKey: "to")
            else { return nil }
            return .typing(TypingFrame(target: target, state: state))
        case "read":
            guard case .integer(let seq)? = object["seq"], let target = target(object, roomKey: "room", userKey: "peer")
            else { return nil }
            return .read(ReadFrame(target: target, seq: seq))
        case "ping":
            switch object["id"] {
            case nil, .null?: return .ping(PingFrame(id: nil))
            case .string(let id)?: return .ping(PingFrame(id: id))
            default: return nil
            }
        default:
            return nil
        }
    }

    /// `ConversationTarget.decode`'s rule: exactly one of the two keys holds a string (null
    /// counts as absent).
    private static func target(_ object: FlatJSONObject, roomKey: String, userKey: String) -> ConversationTarget? {
        func optionalString(_ key: String) -> String?? {
            switch object[key] {
            case nil, .null?: .some(nil)
            case .string(let value)?: .some(value)
            default: nil  // mistyped: Codable reports it
            }
        }
        guard let room = optionalString(roomKey), let user = optionalString(userKey) else { return nil }
        switch (room, user) {
        case (let room?, nil): return .room(room)
        case (nil, let user?): return .user(user)
        default: return nil
        }
    }
}
