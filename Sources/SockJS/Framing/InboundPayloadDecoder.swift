package import NIOCore

/// Decodes what a SockJS client sends: a JSON array of strings (or a single string).
///
/// Written by hand rather than with `JSONDecoder` because browsers may send lone surrogates
/// (`"\ud800"`), which no Swift `String` can hold: they are decoded WTF-8 style into the message
/// bytes, and `JSONStringEncoder` escapes them again on the way out, so they arrive intact.
package enum InboundPayloadDecoder {
    /// The payload is not valid JSON, or not an array of strings.
    package struct BrokenJSON: Error {}

    /// - Parameters:
    ///   - payload: the request body or WebSocket text.
    ///   - allowSingleString: whether a bare `"..."` counts as one message (websocket transport).
    /// - Returns: the messages' bytes (UTF-8, WTF-8 for lone surrogates), possibly none.
    package static func decode(
        _ payload: some Collection<UInt8>, allowSingleString: Bool = true
    ) throws(BrokenJSON) -> [ByteBuffer] {
        var parser = Parser(bytes: Array(payload))
        parser.skipWhitespace()
        var messages: [ByteBuffer] = []
        if parser.peek == UInt8(ascii: "[") {
            parser.index += 1
            parser.skipWhitespace()
            if parser.peek == UInt8(ascii: "]") {
                parser.index += 1
            } else {
                while true {
                    parser.skipWhitespace()
                    messages.append(try parser.string())
                    parser.skipWhitespace()
                    switch parser.peek {
                    case UInt8(ascii: ","): parser.index += 1
                    case UInt8(ascii: "]"): parser.index += 1
                    default: throw BrokenJSON()
                    }
                    if parser.bytes[parser.index - 1] == UInt8(ascii: "]") { break }
                }
            }
        } else if allowSingleString, parser.peek == UInt8(ascii: "\"") {
            messages.append(try parser.string())
        } else {
            throw BrokenJSON()
        }
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw BrokenJSON() }
        return messages
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        mutating func string() throws(BrokenJSON) -> ByteBuffer {
            guard peek == UInt8(ascii: "\"") else { throw BrokenJSON() }
            index += 1
            var out = ByteBuffer()
            while true {
                guard let byte = peek else { throw BrokenJSON() }
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return out
                case UInt8(ascii: "\\"):
                    guard let escape = peek else { throw BrokenJSON() }
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.writeInteger(escape)
                    case UInt8(ascii: "b"): out.writeInteger(UInt8(0x08))
                    case UInt8(ascii: "f"): out.writeInteger(UInt8(0x0C))
                    case UInt8(ascii: "n"): out.writeInteger(UInt8(0x0A))
                    case UInt8(ascii: "r"): out.writeInteger(UInt8(0x0D))
                    case UInt8(ascii: "t"): out.writeInteger(UInt8(0x09))
                    case UInt8(ascii: "u"):
                        var unit = try hex4()
                        if (0xD800...0xDBFF).contains(unit), index + 6 <= bytes.count,
                            bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                        {
                            let saved = index
                            index += 2
                            let low = try hex4()
                            if (0xDC00...0xDFFF).contains(low) {
                                unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                            } else {
                                index = saved
                            }
                        }
                        Self.writeUTF8(unit, to: &out)
                    default:
                        throw BrokenJSON()
                    }
                case 0x00..<0x20:
                    throw BrokenJSON()
                case 0x80...:
                    // Raw UTF-8: copy the whole sequence after checking it.
                    let (scalar, length) = JSONStringEncoder.decodeScalar(bytes, at: index - 1)
                    guard let scalar, !(0xD800...0xDFFF).contains(scalar) else { throw BrokenJSON() }
                    out.writeBytes(bytes[(index - 1)..<(index - 1 + length)])
                    index += length - 1
                default:
                    out.writeInteger(byte)
                }
            }
        }

        mutating func hex4() throws(BrokenJSON) -> UInt32 {
            guard index + 4 <= bytes.count else { throw BrokenJSON() }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                index += 1
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw BrokenJSON()
                }
                value = value << 4 | digit
            }
            return value
        }

        /// UTF-8 for scalars, WTF-8 for lone surrogates.
        static func writeUTF8(_ value: UInt32, to out: inout ByteBuffer) {
            switch value {
            case 0..<0x80:
                out.writeInteger(UInt8(value))
            case 0x80..<0x800:
                out.writeInteger(UInt8(0xC0 | value >> 6))
                out.writeInteger(UInt8(0x80 | value & 0x3F))
            case 0x800..<0x10000:
                out.writeInteger(UInt8(0xE0 | value >> 12))
                out.writeInteger(UInt8(0x80 | (value >> 6) & 0x3F))
                out.writeInteger(UInt8(0x80 | value & 0x3F))
            default:
                out.writeInteger(UInt8(0xF0 | value >> 18))
                out.writeInteger(UInt8(0x80 | (value >> 12) & 0x3F))
                out.writeInteger(UInt8(0x80 | (value >> 6) & 0x3F))
                out.writeInteger(UInt8(0x80 | value & 0x3F))
            }
        }
    }
}
