package import NIOCore

/// One frame of the SockJS server-to-client protocol: `o`, `h`, `a[...]` or `c[code,"reason"]`.
///
/// Every transport sends the same frames and only wraps them differently (a newline for xhr, an
/// event for eventsource, a script call for htmlfile and jsonp), so frames are built once here
/// and the transports apply their envelope.
package enum SockJSFrame: Sendable, Equatable {
    /// The session is open.
    case open
    /// Nothing to say; keeps proxies from timing the connection out.
    case heartbeat
    /// Messages, as the application's bytes; encoded as JSON string literals when written.
    case messages([ByteBuffer])
    /// The session is closed with this code and reason.
    case close(code: Int, reason: String)

    /// `c[2010,"Another connection still open"]`: a second receiver tried to attach.
    static let anotherConnectionOpen = SockJSFrame.close(code: 2010, reason: "Another connection still open")
    /// `c[1002,"Connection interrupted"]`: the receiving request vanished mid-response.
    static let connectionInterrupted = SockJSFrame.close(code: 1002, reason: "Connection interrupted")

    /// The frame's text, without any transport envelope.
    package var encoded: ByteBuffer {
        var buffer = ByteBuffer()
        write(to: &buffer)
        return buffer
    }

    /// Writes the frame's text to `buffer`.
    package func write(to buffer: inout ByteBuffer) {
        switch self {
        case .open:
            buffer.writeStaticString("o")
        case .heartbeat:
            buffer.writeStaticString("h")
        case .messages(let messages):
            buffer.writeStaticString("a[")
            for (index, message) in messages.enumerated() {
                if index > 0 { buffer.writeStaticString(",") }
                JSONStringEncoder.appendLiteral(message.readableBytesView, to: &buffer)
            }
            buffer.writeStaticString("]")
        case .close(let code, let reason):
            buffer.writeString("c[\(code),")
            JSONStringEncoder.appendLiteral(Array(reason.utf8), to: &buffer)
            buffer.writeStaticString("]")
        }
    }
}
