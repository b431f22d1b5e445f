public import NIOCore

/// Writes one flat JSON object straight into a `ByteBuffer`: the hand-written encoders of the
/// frames fan-out sends most (`message`, `ack`, `typing`, `presence`, `receipt`, `pong`).
///
/// Foundation's `JSONEncoder` builds a tree, boxes every value and copies the result; the hot
/// frames are a handful of strings and integers, so writing them directly costs a fraction. The
/// output is plain RFC 8259 JSON that `JSONDecoder` reads back to the same values
/// (`JSONWriterTests` checks it on random strings).
public struct JSONWriter {
    /// The JSON written so far.
    public private(set) var buffer: ByteBuffer
    private var first = true

    /// Starts an object.
    ///
    /// - Parameter capacity: bytes to reserve, to avoid growing the buffer for typical frames.
    public init(capacity: Int = 256) {
        buffer = ByteBuffer()
        buffer.reserveCapacity(capacity)
        buffer.writeInteger(UInt8(ascii: "{"))
    }

    private mutating func key(_ name: StaticString) {
        if first {
            first = false
        } else {
            buffer.writeInteger(UInt8(ascii: ","))
        }
        buffer.writeInteger(UInt8(ascii: "\""))
        buffer.writeStaticString(name)
        buffer.writeInteger(UInt8(ascii: "\""))
        buffer.writeInteger(UInt8(ascii: ":"))
    }

    /// A string member.
    public mutating func field(_ name: StaticString, _ value: String) {
        key(name)
        Self.writeString(value, to: &buffer)
    }

    /// A string member, left out when nil (as `JSONEncoder` leaves out nil optionals).
    public mutating func field(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        field(name, value)
    }

    /// An integer member.
    public mutating func field(_ name: StaticString, _ value: Int64) {
        key(name)
        buffer.writeString(String(value))
    }

    /// An integer member, left out when nil.
    public mutating func field(_ name: StaticString, _ value: Int64?) {
        guard let value else { return }
        field(name, value)
    }

    /// A boolean member.
    public mutating func field(_ name: StaticString, _ value: Bool) {
        key(name)
        buffer.writeStaticString(value ? "true" : "false")
    }

    /// A boolean member, left out when nil.
    public mutating func field(_ name: StaticString, _ value: Bool?) {
        guard let value else { return }
        field(name, value)
    }

    /// An array-of-strings member, left out when nil.
    public mutating func field(_ name: StaticString, _ values: [String]?) {
        guard let values else { return }
        key(name)
        buffer.writeInteger(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            Self.writeString(value, to: &buffer)
        }
        buffer.writeInteger(UInt8(ascii: "]"))
    }

    /// An array-of-objects member (the messages of a `joined` or `history` frame).
    public mutating func field(_ name: StaticString, _ objects: [some HandEncodedFrame]) {
        key(name)
        buffer.writeInteger(UInt8(ascii: "["))
        for (index, object) in objects.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            writeNested(object)
        }
        buffer.writeInteger(UInt8(ascii: "]"))
    }

    /// Starts an object at the end of `buffer`.
    /// Writes `object` as a nested JSON object, in place; nothing when it is nil.
    public mutating func field(_ name: StaticString, _ object: (some HandEncodedFrame)?) {
        guard let object else { return }
        key(name)
        writeNested(object)
    }

    /// The nested object writes into this buffer: no copy.
    private mutating func writeNested(_ object: some HandEncodedFrame) {
        var nested = JSONWriter(continuing: buffer)
        buffer = ByteBuffer()
        object.write(to: &nested)
        buffer = nested.finish()
    }

    private init(continuing buffer: ByteBuffer) {
        self.buffer = buffer
        self.buffer.writeInteger(UInt8(ascii: "{"))
    }

    /// A member whose value is JSON already (a nested, already-encoded frame).
    public mutating func rawField(_ name: StaticString, _ json: ByteBuffer) {
        key(name)
        var json = json
        buffer.writeBuffer(&json)
    }

    /// Closes the object and returns its bytes.
    public consuming func finish() -> ByteBuffer {
        buffer.writeInteger(UInt8(ascii: "}"))
        return buffer
    }

    /// Writes `value` as a JSON string: `"` and `\` escaped, control characters as `\n`, `\t`,
    /// … or `\u00XX`; everything else, non-ASCII included, as its UTF-8 bytes.
    public static func writeString(_ value: String, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var start = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[start..<index])))
                start = index + 1
                switch byte {
                case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case 0x0A: buffer.writeStaticString("\\n")
                case 0x0D: buffer.writeStaticString("\\r")
                case 0x09: buffer.writeStaticString("\\t")
                case 0x08: buffer.writeStaticString("\\b")
                case 0x0C: buffer.writeStaticString("\\f")
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    buffer.writeStaticString("\\u00")
                    buffer.writeInteger(hex[Int(byte >> 4)])
                    buffer.writeInteger(hex[Int(byte & 0xF)])
                }
            }
            buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[start..<utf8.count])))
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }
}
