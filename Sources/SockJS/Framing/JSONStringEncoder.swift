import NIOCore

/// Writes text as a JSON string literal, escaping every character that SockJS clients or the
/// browsers between them could mangle.
///
/// The input is UTF-8; lone surrogates encoded WTF-8 style (`ED A0 80`, which a client can send as
/// `"\ud800"`) are accepted so that whatever a browser sends arrives back intact. Beyond what JSON
/// requires, the SockJS spec (`escapable_by_server`) asks servers to escape U+200C–U+200F,
/// U+2028–U+202F (line and paragraph separators end a JavaScript string literal in older
/// engines), U+2060–U+206F, U+FFF0–U+FFFF and the surrogates. `htmlSafe` also escapes `<`, `>`
/// and `&`, so a literal written inside an HTML `<script>` block (htmlfile) can never contain
/// `</script>`. Escapes use lowercase hex, as sockjs-node does.
enum JSONStringEncoder {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `bytes` as a quoted JSON string literal.
    ///
    /// - Parameters:
    ///   - bytes: UTF-8 (or WTF-8) text; invalid sequences become U+FFFD.
    ///   - buffer: where the literal is written.
    ///   - htmlSafe: whether `<`, `>` and `&` are escaped too.
    static func appendLiteral(_ bytes: some Collection<UInt8>, to buffer: inout ByteBuffer, htmlSafe: Bool = false) {
        buffer.writeInteger(UInt8(ascii: "\""))
        appendEscaped(bytes, to: &buffer, htmlSafe: htmlSafe)
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    /// Appends the escaped content of a JSON string literal, without the quotes.
    static func appendEscaped(_ bytes: some Collection<UInt8>, to buffer: inout ByteBuffer, htmlSafe: Bool = false) {
        let bytes = Array(bytes)
        var index = 0
        let count = bytes.count
        buffer.reserveCapacity(minimumWritableBytes: count + 2)
        while index < count {
            let byte = bytes[index]
            if byte < 0x80 {
                appendASCII(byte, to: &buffer, htmlSafe: htmlSafe)
                index += 1
                continue
            }
            let (scalar, length) = decodeScalar(bytes, at: index)
            guard let scalar else {
                appendUnicodeEscape(0xFFFD, to: &buffer)
                index += length
                continue
            }
            if mustEscape(scalar) {
                appendUnicodeEscape(scalar, to: &buffer)
            } else {
                buffer.writeBytes(bytes[index..<(index + length)])
            }
            index += length
        }
    }

    /// Whether a non-ASCII code point must be written as `\uXXXX` (SockJS `escapable_by_server`
    /// plus the surrogates).
    static func mustEscape(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x200C...0x200F, 0x2028...0x202F, 0x2060...0x206F, 0xD800...0xDFFF, 0xFFF0...0xFFFF: true
        default: false
        }
    }

    private static func appendASCII(_ byte: UInt8, to buffer: inout ByteBuffer, htmlSafe: Bool) {
        if htmlSafe, byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "&") {
            appendUnicodeEscape(UInt32(byte), to: &buffer)
            return
        }
        switch byte {
        case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
        case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
        case 0x08: buffer.writeStaticString("\\b")
        case 0x0C: buffer.writeStaticString("\\f")
        case 0x0A: buffer.writeStaticString("\\n")
        case 0x0D: buffer.writeStaticString("\\r")
        case 0x09: buffer.writeStaticString("\\t")
        case 0x00..<0x20: appendUnicodeEscape(UInt32(byte), to: &buffer)
        default: buffer.writeInteger(byte)
        }
    }

    private static func appendUnicodeEscape(_ unit: UInt32, to buffer: inout ByteBuffer) {
        buffer.writeStaticString("\\u")
        for shift in stride(from: 12, through: 0, by: -4) {
            buffer.writeInteger(hex[Int((unit >> UInt32(shift)) & 0xF)])
        }
    }

    /// Decodes the multi-byte sequence at `index`; surrogates (WTF-8) are allowed, overlong and
    /// truncated sequences are not.
    ///
    /// - Returns: the code point (nil when invalid) and how many bytes were consumed.
    static func decodeScalar(_ bytes: [UInt8], at index: Int) -> (UInt32?, Int) {
        let lead = bytes[index]
        let length: Int
        var scalar: UInt32
        switch lead {
        case 0xC2...0xDF: (length, scalar) = (2, UInt32(lead & 0x1F))
        case 0xE0...0xEF: (length, scalar) = (3, UInt32(lead & 0x0F))
        case 0xF0...0xF4: (length, scalar) = (4, UInt32(lead & 0x07))
        default: return (nil, 1)
        }
        guard index + length <= bytes.count else { return (nil, 1) }
        for offset in 1..<length {
            let next = bytes[index + offset]
            guard next & 0xC0 == 0x80 else { return (nil, offset) }
            scalar = scalar << 6 | UInt32(next & 0x3F)
        }
        let minimum: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
        guard scalar >= minimum, scalar <= 0x10FFFF else { return (nil, length) }
        return (scalar, length)
    }
}
