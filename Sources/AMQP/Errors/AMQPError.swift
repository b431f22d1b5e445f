/// The one error type of the AMQP client.
///
/// A struct with an extensible `Code` (the postgres-nio `PSQLError` pattern) so new cases never
/// break callers' `switch`es. Errors the broker reports carry its reply code and text verbatim,
/// plus the class and method that failed, because that is what an operator needs to fix a
/// permission or a queue argument.
public struct AMQPError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, independent of the human-readable text.
    ///
    /// Reply codes from the spec (`.notFound`, `.accessRefused`, …) are generated from the spec
    /// XML; the client adds its own codes for conditions the broker never reports.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        @usableFromInline
        enum Base: Sendable, Hashable {
            case reply(UInt16)
            case connectionLost
            case connectionClosed
            case channelClosed
            case heartbeatTimeout
            case publishNacked
            case consumerCancelled
            case protocolVersionMismatch
            case invalidConfiguration
            case recoveryFailed
            case timeout
            case unroutable
        }

        @usableFromInline
        let base: Base

        @usableFromInline
        init(_ base: Base) {
            self.base = base
        }

        /// A code for an AMQP reply code (e.g. 404 → `.notFound`).
        public init(replyCode: UInt16) {
            self.base = .reply(replyCode)
        }

        /// The AMQP reply code, when this code is one (nil for client-side codes).
        public var replyCode: UInt16? {
            if case .reply(let value) = self.base { return value }
            return nil
        }

        /// The socket closed or failed without an AMQP close handshake.
        ///
        /// Retryable: with recovery enabled, the connection reconnects; a publish that awaited
        /// its confirm at that moment fails with this code and may be sent again.
        public static let connectionLost = Code(.connectionLost)
        /// The connection is closed (by the application or after a connection error).
        public static let connectionClosed = Code(.connectionClosed)
        /// The channel is closed; open a new one.
        public static let channelClosed = Code(.channelClosed)
        /// No frame arrived for two heartbeat intervals; the connection is treated as dead.
        public static let heartbeatTimeout = Code(.heartbeatTimeout)
        /// The broker answered a publish with `basic.nack`: it did not take responsibility.
        public static let publishNacked = Code(.publishNacked)
        /// The broker cancelled a consumer (queue deleted, node failure, …).
        public static let consumerCancelled = Code(.consumerCancelled)
        /// The broker speaks a different AMQP version (it answered with a protocol header).
        public static let protocolVersionMismatch = Code(.protocolVersionMismatch)
        /// The configuration or URL is invalid.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// Automatic recovery gave up or a recovery step failed.
        public static let recoveryFailed = Code(.recoveryFailed)
        /// An operation did not complete in time.
        public static let timeout = Code(.timeout)
        /// A mandatory publish was returned by the broker (`basic.return`): no queue matched.
        public static let unroutable = Code(.unroutable)

        /// A stable, log-friendly name (`NOT_FOUND`, `connectionLost`, …).
        public var description: String {
            switch self.base {
            case .reply(let value): Code.specName(forReplyCode: value) ?? "REPLY_\(value)"
            case .connectionLost: "connectionLost"
            case .connectionClosed: "connectionClosed"
            case .channelClosed: "channelClosed"
            case .heartbeatTimeout: "heartbeatTimeout"
            case .publishNacked: "publishNacked"
            case .consumerCancelled: "consumerCancelled"
            case .protocolVersionMismatch: "protocolVersionMismatch"
            case .invalidConfiguration: "invalidConfiguration"
            case .recoveryFailed: "recoveryFailed"
            case .timeout: "timeout"
            case .unroutable: "unroutable"
            }
        }
    }

    /// What went wrong.
    public var code: Code
    /// A human-readable explanation: the broker's reply text, or the client's own.
    public var message: String
    /// The class id of the method the broker rejected, when it said so.
    public var classID: UInt16?
    /// The method id of the method the broker rejected, when it said so.
    public var methodID: UInt16?
    /// Whether the error closed the whole connection (a hard error) rather than one channel.
    public var closedConnection: Bool
    /// A lower-level cause, such as a socket error.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(
        code: Code,
        message: String,
        classID: UInt16? = nil,
        methodID: UInt16? = nil,
        closedConnection: Bool = false,
        underlying: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.classID = classID
        self.methodID = methodID
        self.closedConnection = closedConnection
        self.underlying = underlying
    }

    /// Whether the operation may succeed if tried again (after recovery).
    ///
    /// True for lost connections and heartbeat timeouts; false for anything the broker
    /// refused on purpose (permissions, missing queues, bad arguments).
    public var isRetryable: Bool {
        switch self.code.base {
        case .connectionLost, .heartbeatTimeout, .timeout: true
        case .reply(let value): value == 320  // CONNECTION_FORCED: broker shutting down / admin close
        default: false
        }
    }

    /// The reply code, when the error is an AMQP reply.
    public var replyCode: UInt16? { self.code.replyCode }

    /// A one-line description with code, reply code and failing method.
    public var description: String {
        var text = "AMQPError(\(self.code)"
        if let replyCode = self.code.replyCode { text += " \(replyCode)" }
        text += ": \(self.message)"
        if let classID, let methodID, classID != 0 { text += " [method \(classID).\(methodID)]" }
        if let underlying { text += " (underlying: \(underlying))" }
        return text + ")"
    }

    @usableFromInline
    static func truncated(_ what: String) -> AMQPError {
        AMQPError(code: .syntaxError, message: "truncated \(what) field")
    }
}
