/// A `--database-url` that cannot be used, with what to write instead.
package struct DatabaseURLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, for the operator.
    package var message: String

    package init(_ message: String) { self.message = message }

    package var description: String { message }
}
