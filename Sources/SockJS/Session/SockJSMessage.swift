public import NIOCore

/// One message of a SockJS session, in either direction.
///
/// The bytes are UTF-8, except that a lone UTF-16 surrogate a browser sent (`"\ud800"`) is kept
/// WTF-8 encoded, so an echo returns exactly what the browser sent. `text` repairs such bytes to
/// U+FFFD for code that wants a `String`.
public struct SockJSMessage: Sendable, Hashable, CustomStringConvertible {
    /// The message's bytes.
    public var bytes: ByteBuffer

    /// - Parameter bytes: UTF-8 text (WTF-8 surrogates allowed).
    public init(bytes: ByteBuffer) {
        self.bytes = bytes
    }

    /// - Parameter text: the message text.
    public init(_ text: String) {
        self.bytes = ByteBuffer(string: text)
    }

    /// The message as a `String`; invalid sequences become U+FFFD.
    public var text: String { String(decoding: bytes.readableBytesView, as: UTF8.self) }

    public var description: String { text }
}
