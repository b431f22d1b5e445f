/// A broker operation that failed; the caller may retry.
public struct BrokerError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, stable for programs.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The broker is shut down or unreachable.
        public static let unavailable = Code(rawValue: "unavailable")
        /// The broker refused the message (publisher nack).
        public static let rejected = Code(rawValue: "rejected")
        /// No confirm arrived in time.
        public static let timeout = Code(rawValue: "timeout")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "broker \(code.rawValue): \(message)" }
}
