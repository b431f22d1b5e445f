/// SockJS websocket framing for the load generator: the server's `o`, `h`, `a[...]` and
/// `c[...]` frames, and the client's JSON array of strings.
///
/// Lets `rabbitchat bench --transport sockjs` measure the SockJS path with the same client
/// logic as native WebSocket: every string of an `a` frame is unescaped into a reused buffer
/// and handed on as if it were a native text frame.
package enum SockJSFraming {
    /// What one server frame was.
    package enum Kind: Equatable, Sendable {
        case open, heartbeat, messages, close, other
    }

    /// The frame's kind, from its first byte.
    package static func kind(_ bytes: UnsafeRawBufferPointer) -> Kind {
        guard let first = bytes.first else { return .other }
        switch first {
        case UInt8(ascii: "o"): return .open
        case UInt8(ascii: "h"): return .heartbeat
        case UInt8(ascii: "a"): return .messages
        case UInt8(ascii: "c"): return .close
        default: return .other
        }
    }

    /// Calls `body` with each unescaped string of an `a[...]` frame, in order; returns false when
    /// the frame is malformed (the strings before the fault were delivered).
    @discardableResult
    package static func forEachMessage(
        in bytes: UnsafeRawBufferPointer, scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer) -> Void
    ) -> Bool {
        var index = 1
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { return false }
        index += 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "]"):
                return true
            case UInt8(ascii: ","), UInt8(ascii: " "):
                index += 1
            case UInt8(ascii: "\""):
                scratch.removeAll(keepingCapacity: true)
                guard let end = unescapeString(bytes, from: index + 1, into: &scratch) else { return false }
                scratch.withUnsafeBytes(body)
                index = end
            default:
                return false
            }
        }
        return false
    }

    /// The client frame carrying `text`: a JSON array of one string.
    package static func clientFrame(_ text: String) -> String {
        var out = "[\""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\"]"
    }

    /// Unescapes the JSON string starting at `start` (after its opening quote) into `out`;
    /// returns the index after the closing quote, or nil when it is malformed.
    static func unescapeString(_ bytes: UnsafeRawBufferPointer, from start: Int, into out: inout [UInt8]) -> Int? {
        var index = start
        var pendingHigh: UInt32?
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { return index + 1 }
            guard byte == UInt8(ascii: "\\") else {
                if pendingHigh != nil {
                    appendScalar(0xFFFD, to: &out)
                    pendingHigh = nil
                }
                out.append(byte)
                index += 1
                continue
            }
            guard index + 1 < bytes.count else { return nil }
            let escaped = bytes[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard index + 4 <= bytes.count, let unit = hex4(bytes, at: index) else { return nil }
                index += 4
                if (0xD800...0xDBFF).contains(unit) {
                    if pendingHigh != nil { appendScalar(0xFFFD, to: &out) }
                    pendingHigh = unit
                    continue
                }
                if (0xDC00...0xDFFF).contains(unit), let high = pendingHigh {
                    appendScalar(0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00), to: &out)
                    pendingHigh = nil
                    continue
                }
                appendScalar((0xD800...0xDFFF).contains(unit) ? 0xFFFD : unit, to: &out)
            default:
                return nil
            }
            if pendingHigh != nil, escaped != UInt8(ascii: "u") {
                appendScalar(0xFFFD, to: &out)
                pendingHigh = nil
            }
        }
        return nil
    }

    private static func hex4(_ bytes: UnsafeRawBufferPointer, at index: Int) -> UInt32? {
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = bytes[index + offset]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }

    private static func appendScalar(_ value: UInt32, to out: inout [UInt8]) {
        let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
        out.append(contentsOf: Array(String(Character(scalar)).utf8))
    }
}
