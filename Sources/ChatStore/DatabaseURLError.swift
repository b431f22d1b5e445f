/// A `--database-url` that cannot be used, with what to write instead.
public struct DatabaseURLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, for the operator.
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
