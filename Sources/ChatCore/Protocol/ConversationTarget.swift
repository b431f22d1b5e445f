/// Where a client frame points: a room, or another user (direct conversation).
///
/// Frames carry exactly one of `room` or `to` (`peer` for `read` and `history`); the decoder
/// refuses frames with neither or both.
public enum ConversationTarget: Sendable, Equatable {
    case room(String)
    case user(String)

    /// Decodes the target from a frame, given the name of the user field (`to` or `peer`).
    static func decode<K: CodingKey>(
        from container: KeyedDecodingContainer<K>, roomKey: K, userKey: K
    ) throws -> ConversationTarget {
        let room = try container.decodeIfPresent(String.self, forKey: roomKey)
        let user = try container.decodeIfPresent(String.self, forKey: userKey)
        switch (room, user) {
        case (let room?, nil): return .room(room)
        case (nil, let user?): return .user(user)
        default:
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: [],
                    debugDescription: "exactly one of `\(roomKey.stringValue)` or `\(userKey.stringValue)` is required"
                )
            )
        }
    }
}
