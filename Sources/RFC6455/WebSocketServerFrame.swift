package import NIOCore

/// Complete server-to-client WebSocket frames (RFC 6455 §5.2), header and payload in one buffer.
///
/// A server frame is never masked, so the bytes of a frame are the same for every recipient:
/// fan-out builds a message's frame once (`WireEncoding.webSocketText`) and every socket writes
/// that buffer, with no per-socket encoder in the pipeline.
package enum WebSocketServerFrame {
    /// RFC 6455 opcodes the server sends.
    package enum Opcode: UInt8 {
        case text = 0x1
        case close = 0x8
        case ping = 0x9
        case pong = 0xA
    }

    /// A final frame of `opcode` carrying `payload`.
    package static func frame(_ opcode: Opcode, payload: ByteBuffer) -> ByteBuffer {
        let length = payload.readableBytes
        var buffer = ByteBuffer()
        buffer.reserveCapacity(length + 10)
        buffer.writeInteger(0x80 | opcode.rawValue)
        if length < 126 {
            buffer.writeInteger(UInt8(length))
        } else if length <= Int(UInt16.max) {
            buffer.writeMultipleIntegers(UInt8(126), UInt16(length))
        } else {
            buffer.writeMultipleIntegers(UInt8(127), UInt64(length))
        }
        var payload = payload
        buffer.writeBuffer(&payload)
        return buffer
    }

    /// A text frame; `json` is a server frame's UTF-8 JSON.
    package static func text(_ json: ByteBuffer) -> ByteBuffer {
        frame(.text, payload: json)
    }

    /// A close frame with `code` and a reason cut to fit the 125-byte control payload.
    package static func close(_ code: UInt16, reason: String) -> ByteBuffer {
        var payload = ByteBuffer()
        payload.writeInteger(code)
        // A control payload is at most 125 bytes: cut the reason between characters.
        var end = reason.startIndex
        var used = 0
        while end < reason.endIndex, used + reason[end].utf8.count <= 123 {
            used += reason[end].utf8.count
            end = reason.index(after: end)
        }
        payload.writeString(String(reason[..<end]))
        return frame(.close, payload: payload)
    }
}
