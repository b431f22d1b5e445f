/// Why a request could not be forwarded to the node that owns its session.
public struct SockJSClusterError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, stable for programs.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The broker could not take the request.
        public static let unavailable = Code(rawValue: "unavailable")
        /// Too many forwarded requests are in flight on this node.
        public static let overloaded = Code(rawValue: "overloaded")
        /// The owner did not answer (or stopped answering) in time.
        public static let timeout = Code(rawValue: "timeout")
        /// The relayed response outgrew its buffer (the client reads too slowly).
        public static let overflow = Code(rawValue: "overflow")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "sockjs cluster \(code.rawValue): \(message)" }
}
