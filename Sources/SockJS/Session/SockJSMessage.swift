public import NIOCore

/// One message of a SockJS session, in either direction.
///
/// The bytes are UTF-8, except that a lone UTF-16 surrogate a browser sent (`"\ud800"`) is kept
/// WTF-8 encoded, so an echo returns exactly what the browser sent. `text` repairs such bytes to
/// U+FFFD for code that wants a `String`.
public struct SockJSMessage: Sendable, Hashable, CustomStringConvertible {
    /// The message's bytes.
    public var bytes: ByteBuffer
    /// When the server received the message (a client's: when its request's body was decoded),
    /// so an application that answers within a time limit counts from there, not from when it
    /// read the message off the session's queue. Not part of equality.
    public var receivedAt: ContinuousClock.Instant

    /// - Parameters:
    ///   - bytes: UTF-8 text (WTF-8 surrogates allowed).
    ///   - receivedAt: when it was received; now by default.
    public init(bytes: ByteBuffer, receivedAt: ContinuousClock.Instant = .now) {
        self.bytes = bytes
        self.receivedAt = receivedAt
    }

    /// - Parameter text: the message text.
    public init(_ text: String) {
        self.init(bytes: ByteBuffer(string: text))
    }

    /// Equal bytes are the same message, whenever they arrived.
    public static func == (lhs: SockJSMessage, rhs: SockJSMessage) -> Bool {
        lhs.bytes == rhs.bytes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(bytes)
    }

    /// The message as a `String`; invalid sequences become U+FFFD.
    public var text: String { String(decoding: bytes.readableBytesView, as: UTF8.self) }

    public var description: String { text }
}
