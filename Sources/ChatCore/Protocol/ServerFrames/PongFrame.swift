/// `pong`: the answer to `ping`, echoing its `id`.
public struct PongFrame: Encodable, Sendable {
    public let type = "pong"
    public var id: String?
    /// Server time in milliseconds since 1970 (UTC), for clock-skew estimates.
    public var ts: Int64

    public init(id: String?, ts: Int64) {
        self.id = id
        self.ts = ts
    }
}
