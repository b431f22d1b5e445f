public import NIOCore

/// The payload of a content-header frame: body size and message properties.
///
/// Tells the receiver how many body bytes follow, so it can reassemble a message that was
/// split over several body frames without any end marker.
public struct AMQPContentHeader: Sendable, Hashable {
    /// The class of the method the content belongs to (always 60, `basic`, in 0-9-1).
    public var classID: UInt16
    /// The total size of the body, over all body frames.
    public var bodySize: UInt64
    /// The message properties.
    public var properties: AMQPBasicProperties

    /// Creates a content header for class `basic`.
    public init(classID: UInt16 = AMQPMethod.Basic.classID, bodySize: UInt64, properties: AMQPBasicProperties) {
        self.classID = classID
        self.bodySize = bodySize
        self.properties = properties
    }

    /// Decodes a header payload: class id, weight (unused, 0), body size, properties.
    public static func decode(from buffer: inout ByteBuffer) throws(AMQPError) -> AMQPContentHeader {
        let classID = try buffer.readAMQPShort()
        _ = try buffer.readAMQPShort()
        let bodySize = try buffer.readAMQPLongLong()
        let properties = try AMQPBasicProperties.decode(from: &buffer)
        return AMQPContentHeader(classID: classID, bodySize: bodySize, properties: properties)
    }

    /// Encodes a header payload.
    public func encode(into buffer: inout ByteBuffer) throws(AMQPError) {
        buffer.writeInteger(self.classID)
        buffer.writeInteger(UInt16(0))
        buffer.writeInteger(self.bodySize)
        try self.properties.encode(into: &buffer)
    }
}
