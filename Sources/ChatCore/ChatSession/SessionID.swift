/// Identifies one client connection on this node.
public struct SessionID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public var description: String { "s\(String(rawValue, radix: 36))" }
}
