public import NIOCore

extension ByteBuffer {
    /// Reads one octet, or throws `.syntaxError` when the payload is truncated.
    @inlinable
    public mutating func readAMQPOctet() throws(AMQPError) -> UInt8 {
        guard let value = self.readInteger(as: UInt8.self) else { throw .truncated("octet") }
        return value
    }

    /// Reads a big-endian 16-bit integer, or throws `.syntaxError` when truncated.
    @inlinable
    public mutating func readAMQPShort() throws(AMQPError) -> UInt16 {
        guard let value = self.readInteger(as: UInt16.self) else { throw .truncated("short") }
        return value
    }

    /// Reads a big-endian 32-bit integer, or throws `.syntaxError` when truncated.
    @inlinable
    public mutating func readAMQPLong() throws(AMQPError) -> UInt32 {
        guard let value = self.readInteger(as: UInt32.self) else { throw .truncated("long") }
        return value
    }

    /// Reads a big-endian 64-bit integer, or throws `.syntaxError` when truncated.
    @inlinable
    public mutating func readAMQPLongLong() throws(AMQPError) -> UInt64 {
        guard let value = self.readInteger(as: UInt64.self) else { throw .truncated("longlong") }
        return value
    }

    /// Reads a short string (1-byte length, UTF-8 bytes).
    ///
    /// Invalid UTF-8 is repaired rather than rejected: names are echoed back to the broker
    /// and a repaired name fails there with a clear error instead of killing the connection.
    @inlinable
    public mutating func readAMQPShortString() throws(AMQPError) -> String {
        let length = try self.readAMQPOctet()
        guard let value = self.readString(length: Int(length)) else { throw .truncated("shortstr") }
        return value
    }

    /// Reads a long string (4-byte length, bytes) as a String.
    @inlinable
    public mutating func readAMQPLongString() throws(AMQPError) -> String {
        let length = try self.readAMQPLong()
        guard let value = self.readString(length: Int(length)) else { throw .truncated("longstr") }
        return value
    }

    /// Reads a long string (4-byte length) as raw bytes, for binary-safe field-table values.
    @inlinable
    public mutating func readAMQPLongBytes() throws(AMQPError) -> [UInt8] {
        let length = try self.readAMQPLong()
        guard let value = self.readBytes(length: Int(length)) else { throw .truncated("longstr") }
        return value
    }

    /// Writes a short string; throws `.syntaxError` when it is longer than 255 UTF-8 bytes.
    ///
    /// Throwing (instead of truncating) keeps a too-long routing key from silently going to
    /// the wrong queue.
    @inlinable
    public mutating func writeAMQPShortString(_ value: String) throws(AMQPError) {
        let length = value.utf8.count
        guard length <= 255 else {
            throw AMQPError(code: .syntaxError, message: "short string of \(length) bytes exceeds 255")
        }
        self.writeInteger(UInt8(length))
        self.writeString(value)
    }

    /// Writes a long string (4-byte length, UTF-8 bytes).
    @inlinable
    public mutating func writeAMQPLongString(_ value: String) {
        self.writeInteger(UInt32(value.utf8.count))
        self.writeString(value)
    }
}
