package import HummingbirdWebSocket
package import RFC6455

/// The messages of a WebSocket connection, collated and checked by `WebSocketMessageAssembler`.
///
/// Use it instead of `messages(maxSize:)`: iteration throws a
/// `WebSocketMessageAssembler.Violation` when the client broke RFC 6455 (invalid UTF-8 in text,
/// bad fragmentation, too large), which the transport turns into the matching close code; any
/// other error means the connection itself failed.
package struct WebSocketCheckedMessages: AsyncSequence, Sendable {
    package typealias Element = WebSocketMessageAssembler.Message

    let inbound: WebSocketInboundStream
    let maxSize: Int

    package struct AsyncIterator: AsyncIteratorProtocol {
        var frames: WebSocketInboundStream.AsyncIterator
        var assembler: WebSocketMessageAssembler

        package mutating func next() async throws -> Element? {
            // Control frames are answered inside the library; only data frames arrive here.
            while let frame = try await frames.next() {
                let opcode: WebSocketMessageAssembler.Opcode =
                    switch frame.opcode {
                    case .text: .text
                    case .binary: .binary
                    case .continuation: .continuation
                    }
                if let message = try assembler.receive(opcode: opcode, data: frame.data, fin: frame.fin) {
                    return message
                }
            }
            return nil
        }
    }

    package func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(frames: inbound.makeAsyncIterator(), assembler: WebSocketMessageAssembler(maxSize: maxSize))
    }
}

extension WebSocketInboundStream {
    /// The connection's messages, at most `maxSize` bytes each, text checked as UTF-8.
    package func checkedMessages(maxSize: Int) -> WebSocketCheckedMessages {
        WebSocketCheckedMessages(inbound: self, maxSize: maxSize)
    }
}
