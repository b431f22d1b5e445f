/// A JSON object whose members are all strings, integers, booleans or null, read without
/// Foundation: the fast path of the frames clients send most (`send`, `typing`, `read`, `ping`).
///
/// It reads only what it is sure `JSONDecoder` reads the same way. Anything else (nested values,
/// fractions and exponents, duplicate keys, integers beyond `Int64`, invalid escapes or UTF-8)
/// makes `parse` return nil, and the caller falls back to `Codable`, which also produces the
/// precise error message for malformed frames.
struct FlatJSONObject {
    enum Value: Equatable {
        case string(String)
        case integer(Int64)
        case bool(Bool)
        case null
        /// A nested object of a key named in `rawObjectKeys`, as its byte range in the input.
        case rawObject(Range<Int>)
    }

    private(set) var members: [(key: String, value: Value)] = []

    /// The value of `key`, if present.
    subscript(key: String) -> Value? {
        members.first { $0.key == key }?.value
    }

    /// Parses `bytes`, or returns nil when the fast path must not decide.
    ///
    /// - Parameters:
    ///   - bytes: the JSON text.
    ///   - rawObjectKeys: keys whose value may be a nested object, kept as raw bytes (checked
    ///     only for balanced braces outside strings: the caller wrote it, or hands it on as is).
    static func parse(_ bytes: UnsafeRawBufferPointer, rawObjectKeys: Set<String> = []) -> FlatJSONObject? {
        var reader = Reader(bytes: bytes, rawObjectKeys: rawObjectKeys)
        return reader.object()
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        let rawObjectKeys: Set<String>
        var index = 0

        init(bytes: UnsafeRawBufferPointer, rawObjectKeys: Set<String>) {
            self.bytes = bytes
            self.rawObjectKeys = rawObjectKeys
        }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
        }

        mutating func expect(_ byte: UInt8) -> Bool {
            guard current == byte else { return false }
            index += 1
            return true
        }

        mutating func object() -> FlatJSONObject? {
            var object = FlatJSONObject()
            skipWhitespace()
            guard expect(UInt8(ascii: "{")) else { return nil }
            skipWhitespace()
            if expect(UInt8(ascii: "}")) { return trailingWhitespaceOnly() ? object : nil }
            while true {
                skipWhitespace()
                guard let key = string() else { return nil }
                skipWhitespace()
                guard expect(UInt8(ascii: ":")) else { return nil }
                skipWhitespace()
                let value: Value
                if current == UInt8(ascii: "{"), rawObjectKeys.contains(key) {
                    guard let range = skipObject() else { return nil }
                    value = .rawObject(range)
                } else {
                    guard let scalar = self.value() else { return nil }
                    value = scalar
                }
                // Which duplicate wins is the decoder's business: let it decide.
                guard !object.members.contains(where: { $0.key == key }) else { return nil }
                object.members.append((key, value))
                skipWhitespace()
                if expect(UInt8(ascii: ",")) { continue }
                guard expect(UInt8(ascii: "}")) else { return nil }
                return trailingWhitespaceOnly() ? object : nil
            }
        }

        /// Skips one object (at its `{`), nested values and strings included; its byte range.
        mutating func skipObject() -> Range<Int>? {
            let start = index
            var depth = 0
            var inString = false
            while let byte = current {
                index += 1
                if inString {
                    if byte == UInt8(ascii: "\\") {
                        index += 1
                    } else if byte == UInt8(ascii: "\"") {
                        inString = false
                    }
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return start..<index }
                default: break
                }
            }
            return nil
        }

        mutating func trailingWhitespaceOnly() -> Bool {
            skipWhitespace()
            return index == bytes.count
        }

        mutating func value() -> Value? {
            guard let byte = current else { return nil }
            switch byte {
            case UInt8(ascii: "\""): return string().map(Value.string)
            case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
            case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
            case UInt8(ascii: "n"): return literal("null") ? .null : nil
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return integer().map(Value.integer)
            default: return nil
            }
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
            index += count
            return true
        }

        /// A plain integer: optional minus, no leading zero, no fraction or exponent, fits `Int64`.
        mutating func integer() -> Int64? {
            let negative = expect(UInt8(ascii: "-"))
            let start = index
            var magnitude: UInt64 = 0
            while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                let (times, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
                let (plus, overflow2) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
                guard !overflow1, !overflow2 else { return nil }
                magnitude = plus
                index += 1
            }
            let digits = index - start
            guard digits > 0, digits == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
            if let byte = current, byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                return nil
            }
            if negative {
                guard magnitude != 0, magnitude <= UInt64(Int64.max) + 1 else { return nil }
                return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
            }
            guard magnitude <= UInt64(Int64.max) else { return nil }
            return Int64(magnitude)
        }

        /// A string with its escapes resolved; nil for raw control characters, bad escapes, lone
        /// surrogates or invalid UTF-8.
        mutating func string() -> String? {
            guard expect(UInt8(ascii: "\"")) else { return nil }
            let start = index
            // The common case: no escapes. Find the closing quote.
            while let byte = current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
                guard byte >= 0x20 else { return nil }
                index += 1
            }
            guard let stop = current else { return nil }
            var utf8 = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
            if stop == UInt8(ascii: "\"") {
                index += 1
                return Self.validated(utf8)
            }
            while let byte = current {
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return Self.validated(utf8)
                case UInt8(ascii: "\\"):
                    guard let escape = current else { return nil }
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                    case UInt8(ascii: "b"): utf8.append(0x08)
                    case UInt8(ascii: "f"): utf8.append(0x0C)
                    case UInt8(ascii: "n"): utf8.append(0x0A)
                    case UInt8(ascii: "r"): utf8.append(0x0D)
                    case UInt8(ascii: "t"): utf8.append(0x09)
                    case UInt8(ascii: "u"):
                        guard let scalar = unicodeEscape() else { return nil }
                        utf8.append(contentsOf: String(Character(scalar)).utf8)
                    default:
                        return nil
                    }
                default:
                    guard byte >= 0x20 else { return nil }
                    utf8.append(byte)
                }
            }
            return nil
        }

        /// The scalar of `\uXXXX` (the `\u` already read), joining a surrogate pair.
        mutating func unicodeEscape() -> Unicode.Scalar? {
            guard let high = hex4() else { return nil }
            switch high {
            case 0xD800...0xDBFF:
                guard expect(UInt8(ascii: "\\")), expect(UInt8(ascii: "u")), let low = hex4(),
                    (0xDC00...0xDFFF).contains(low)
                else { return nil }
                return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
            case 0xDC00...0xDFFF:
                return nil
            default:
                return Unicode.Scalar(high)
            }
        }

        mutating func hex4() -> UInt32? {
            guard index + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }

        static func validated(_ utf8: [UInt8]) -> String? {
            String(validating: utf8, as: UTF8.self)
        }
    }
}
