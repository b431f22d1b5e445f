package import NIOCore
package import NIOWebSocket

/// Collates WebSocket data frames into messages, without I/O, and names the close code and
/// reason for a message RFC 6455 forbids.
///
/// hummingbird-websocket's `messages(maxSize:)` detects the same violations but reports them as
/// an error type internal to the library: a handler that catches it cannot tell invalid UTF-8
/// (1007) from a dropped socket, and once the handler returns the library closes with 1000. This
/// assembler keeps the verdict in our hands, so each transport closes with the code the RFC
/// requires and a short reason.
package struct WebSocketMessageAssembler {
    /// A complete message.
    package enum Message: Equatable, Sendable {
        /// A text message; its bytes are valid UTF-8.
        case text(ByteBuffer)
        /// A binary message.
        case binary(ByteBuffer)
    }

    /// The kind of data frame, as `WebSocketDataFrame.Opcode` has it.
    package enum Opcode: Sendable {
        case text
        case binary
        case continuation
    }

    /// Why the connection must close: the close code (RFC 6455 §7.4.1) and a short reason.
    package struct Violation: Error, Equatable, Sendable {
        package let code: WebSocketErrorCode
        package let reason: String

        /// 1007: a text message is not valid UTF-8.
        static let invalidUTF8 = Violation(code: .dataInconsistentWithMessage, reason: "text frame is not valid UTF-8")
        /// 1009: the fragments add up to more than the limit.
        static let tooLarge = Violation(code: .messageTooLarge, reason: "message too large")
        /// 1002: a continuation without a message to continue.
        static let unexpectedContinuation = Violation(code: .protocolError, reason: "unexpected continuation frame")
        /// 1002: a new message before the fragmented one finished.
        static let unfinishedMessage = Violation(code: .protocolError, reason: "new message inside a fragmented one")
    }

    /// Largest message, in bytes, summed over its fragments.
    private let maxSize: Int
    /// The fragmented message being collated: its kind and the bytes so far.
    private var pending: (isText: Bool, bytes: ByteBuffer)?

    package init(maxSize: Int) {
        self.maxSize = maxSize
    }

    /// Takes one data frame; returns the message it completes, if any.
    ///
    /// UTF-8 is checked once the message is complete, because a fragment may end inside a
    /// multi-byte character.
    /// - Parameters:
    ///   - opcode: The frame's opcode.
    ///   - data: The frame's unmasked payload.
    ///   - fin: Whether this is the message's last frame.
    package mutating func receive(opcode: Opcode, data: ByteBuffer, fin: Bool) throws(Violation) -> Message? {
        let isText: Bool
        var bytes: ByteBuffer
        switch (opcode, pending) {
        case (.continuation, nil):
            throw .unexpectedContinuation
        case (.continuation, (let pendingIsText, var pendingBytes)?):
            guard pendingBytes.readableBytes + data.readableBytes <= maxSize else { throw .tooLarge }
            pending = nil  // drop the reference so the append below does not copy
            pendingBytes.writeImmutableBuffer(data)
            isText = pendingIsText
            bytes = pendingBytes
        case (.text, nil), (.binary, nil):
            guard data.readableBytes <= maxSize else { throw .tooLarge }
            isText = opcode == .text
            bytes = data
        case (.text, _?), (.binary, _?):
            throw .unfinishedMessage
        }
        guard fin else {
            pending = (isText, bytes)
            return nil
        }
        guard isText else { return .binary(bytes) }
        guard Self.isValidUTF8(bytes) else { throw .invalidUTF8 }
        return .text(bytes)
    }

    /// Whether `buffer`'s readable bytes are valid UTF-8 (no surrogates, no overlong forms).
    static func isValidUTF8(_ buffer: ByteBuffer) -> Bool {
        buffer.withUnsafeReadableBytes { String(validating: $0, as: UTF8.self) != nil }
    }
}
