public import NIOCore

/// One value in an AMQP field table or field array.
///
/// Covers every type tag RabbitMQ reads and writes (the 0-9-1 errata table): queue arguments
/// (`x-message-ttl` as `.int32`/`.int64`), consumer capabilities (`.bool`), headers exchanges
/// and application headers (`.string`, nested `.table`, `.array`). Each case round-trips to the
/// same tag, so a header written by pika or amqp091-go comes back byte for byte.
public enum AMQPFieldValue: Sendable, Hashable {
    /// `t`: boolean.
    case bool(Bool)
    /// `b`: signed 8-bit integer.
    case int8(Int8)
    /// `B`: unsigned 8-bit integer.
    case uint8(UInt8)
    /// `s`: signed 16-bit integer (RabbitMQ's meaning of `s`).
    case int16(Int16)
    /// `u`: unsigned 16-bit integer.
    case uint16(UInt16)
    /// `I`: signed 32-bit integer.
    case int32(Int32)
    /// `i`: unsigned 32-bit integer.
    case uint32(UInt32)
    /// `l`: signed 64-bit integer.
    case int64(Int64)
    /// `L`: unsigned 64-bit integer (read for completeness; RabbitMQ itself writes `l`).
    case uint64(UInt64)
    /// `f`: 32-bit IEEE float.
    case float(Float)
    /// `d`: 64-bit IEEE double.
    case double(Double)
    /// `D`: decimal, `value × 10^-scale`.
    case decimal(scale: UInt8, value: UInt32)
    /// `S`: long string (UTF-8 text).
    case string(String)
    /// `x`: byte array (binary data).
    case bytes([UInt8])
    /// `A`: field array.
    case array([AMQPFieldValue])
    /// `T`: timestamp, seconds since the Unix epoch.
    case timestamp(UInt64)
    /// `F`: nested field table.
    case table(AMQPTable)
    /// `V`: void (no value).
    case void

    /// The one-byte type tag written before the value.
    public var tag: UInt8 {
        switch self {
        case .bool: UInt8(ascii: "t")
        case .int8: UInt8(ascii: "b")
        case .uint8: UInt8(ascii: "B")
        case .int16: UInt8(ascii: "s")
        case .uint16: UInt8(ascii: "u")
        case .int32: UInt8(ascii: "I")
        case .uint32: UInt8(ascii: "i")
        case .int64: UInt8(ascii: "l")
        case .uint64: UInt8(ascii: "L")
        case .float: UInt8(ascii: "f")
        case .double: UInt8(ascii: "d")
        case .decimal: UInt8(ascii: "D")
        case .string: UInt8(ascii: "S")
        case .bytes: UInt8(ascii: "x")
        case .array: UInt8(ascii: "A")
        case .timestamp: UInt8(ascii: "T")
        case .table: UInt8(ascii: "F")
        case .void: UInt8(ascii: "V")
        }
    }

    /// Decodes a tagged value.
    ///
    /// Throws `.syntaxError` for an unknown tag or truncated data, so a malformed table closes
    /// the connection with the right reply code instead of crashing.
    public static func decode(from buffer: inout ByteBuffer) throws(AMQPError) -> AMQPFieldValue {
        let tag = try buffer.readAMQPOctet()
        switch tag {
        case UInt8(ascii: "t"): return .bool(try buffer.readAMQPOctet() != 0)
        case UInt8(ascii: "b"): return .int8(Int8(bitPattern: try buffer.readAMQPOctet()))
        case UInt8(ascii: "B"): return .uint8(try buffer.readAMQPOctet())
        case UInt8(ascii: "s"): return .int16(Int16(bitPattern: try buffer.readAMQPShort()))
        case UInt8(ascii: "u"): return .uint16(try buffer.readAMQPShort())
        case UInt8(ascii: "I"): return .int32(Int32(bitPattern: try buffer.readAMQPLong()))
        case UInt8(ascii: "i"): return .uint32(try buffer.readAMQPLong())
        case UInt8(ascii: "l"): return .int64(Int64(bitPattern: try buffer.readAMQPLongLong()))
        case UInt8(ascii: "L"): return .uint64(try buffer.readAMQPLongLong())
        case UInt8(ascii: "f"): return .float(Float(bitPattern: try buffer.readAMQPLong()))
        case UInt8(ascii: "d"): return .double(Double(bitPattern: try buffer.readAMQPLongLong()))
        case UInt8(ascii: "D"):
            let scale = try buffer.readAMQPOctet()
            return .decimal(scale: scale, value: try buffer.readAMQPLong())
        case UInt8(ascii: "S"): return .string(try buffer.readAMQPLongString())
        case UInt8(ascii: "x"): return .bytes(try buffer.readAMQPLongBytes())
        case UInt8(ascii: "A"):
            let length = try buffer.readAMQPLong()
            guard var slice = buffer.readSlice(length: Int(length)) else { throw .truncated("array") }
            var values: [AMQPFieldValue] = []
            while slice.readableBytes > 0 {
                values.append(try AMQPFieldValue.decode(from: &slice))
            }
            return .array(values)
        case UInt8(ascii: "T"): return .timestamp(try buffer.readAMQPLongLong())
        case UInt8(ascii: "F"): return .table(try AMQPTable.decode(from: &buffer))
        case UInt8(ascii: "V"): return .void
        default:
            throw AMQPError(code: .syntaxError, message: "unknown field value type 0x\(String(tag, radix: 16))")
        }
    }

    /// Encodes the tag and the value.
    public func encode(into buffer: inout ByteBuffer) throws(AMQPError) {
        buffer.writeInteger(self.tag)
        switch self {
        case .bool(let value): buffer.writeInteger(UInt8(value ? 1 : 0))
        case .int8(let value): buffer.writeInteger(value)
        case .uint8(let value): buffer.writeInteger(value)
        case .int16(let value): buffer.writeInteger(value)
        case .uint16(let value): buffer.writeInteger(value)
        case .int32(let value): buffer.writeInteger(value)
        case .uint32(let value): buffer.writeInteger(value)
        case .int64(let value): buffer.writeInteger(value)
        case .uint64(let value): buffer.writeInteger(value)
        case .float(let value): buffer.writeInteger(value.bitPattern)
        case .double(let value): buffer.writeInteger(value.bitPattern)
        case .decimal(let scale, let value):
            buffer.writeInteger(scale)
            buffer.writeInteger(value)
        case .string(let value): buffer.writeAMQPLongString(value)
        case .bytes(let value):
            buffer.writeInteger(UInt32(value.count))
            buffer.writeBytes(value)
        case .array(let values):
            let lengthIndex = buffer.writerIndex
            buffer.writeInteger(UInt32(0))
            for value in values {
                try value.encode(into: &buffer)
            }
            buffer.setInteger(UInt32(buffer.writerIndex - lengthIndex - 4), at: lengthIndex)
        case .timestamp(let value): buffer.writeInteger(value)
        case .table(let value): try value.encode(into: &buffer)
        case .void: break
        }
    }
}

extension AMQPFieldValue: ExpressibleByStringLiteral {
    /// A string literal becomes `.string`.
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}

extension AMQPFieldValue: ExpressibleByBooleanLiteral {
    /// A boolean literal becomes `.bool`.
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }
}

extension AMQPFieldValue: ExpressibleByIntegerLiteral {
    /// An integer literal becomes `.int64` (`l`), which RabbitMQ accepts for every numeric argument.
    public init(integerLiteral value: Int64) {
        self = .int64(value)
    }
}
