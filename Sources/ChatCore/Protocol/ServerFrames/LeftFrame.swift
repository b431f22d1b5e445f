/// `left`: confirms a `leave`; no more traffic of that room follows.
public struct LeftFrame: Encodable, Sendable {
    public let type = "left"
    public var room: String

    public init(room: String) { self.room = room }
}
