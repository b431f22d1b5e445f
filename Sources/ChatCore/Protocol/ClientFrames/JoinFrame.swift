/// `join`: enter a public room (created on first join).
///
/// With `since`, the answer carries exactly the messages after that `seq` (or
/// `recovered: false`); without it, the most recent messages.
public struct JoinFrame: Decodable, Sendable, Equatable {
    public var room: String
    public var since: Int64?

    public init(room: String, since: Int64? = nil) {
        self.room = room
        self.since = since
    }
}
