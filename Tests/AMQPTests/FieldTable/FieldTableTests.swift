import NIOCore
import Testing

@testable import AMQP

/// Field tables round-trip every value type RabbitMQ uses and match hand-computed bytes.
@Suite("Field tables")
struct FieldTableTests {
    static let allValues: [(String, AMQPFieldValue, [UInt8])] = [
        ("t", .bool(true), [0x74, 0x01]),
        ("b", .int8(-2), [0x62, 0xFE]),
        ("B", .uint8(200), [0x42, 0xC8]),
        ("s", .int16(-2), [0x73, 0xFF, 0xFE]),
        ("u", .uint16(513), [0x75, 0x02, 0x01]),
        ("I", .int32(-1), [0x49, 0xFF, 0xFF, 0xFF, 0xFF]),
        ("i", .uint32(0x0102_0304), [0x69, 0x01, 0x02, 0x03, 0x04]),
        ("l", .int64(-3), [0x6C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFD]),
        ("L", .uint64(5), [0x4C, 0, 0, 0, 0, 0, 0, 0, 5]),
        ("f", .float(1.0), [0x66, 0x3F, 0x80, 0x00, 0x00]),
        ("d", .double(-2.0), [0x64, 0xC0, 0, 0, 0, 0, 0, 0, 0]),
        ("D", .decimal(scale: 2, value: 314), [0x44, 0x02, 0x00, 0x00, 0x01, 0x3A]),
        ("S", .string("hé"), [0x53, 0, 0, 0, 3, 0x68, 0xC3, 0xA9]),
        ("x", .bytes([0, 0xFF]), [0x78, 0, 0, 0, 2, 0x00, 0xFF]),
        ("A", .array([.bool(false), .int8(1)]), [0x41, 0, 0, 0, 4, 0x74, 0x00, 0x62, 0x01]),
        ("T", .timestamp(1_700_000_000), [0x54, 0, 0, 0, 0, 0x65, 0x53, 0xF1, 0x00]),
        ("F", .table(["k": .void]), [0x46, 0, 0, 0, 3, 0x01, 0x6B, 0x56]),
        ("V", .void, [0x56]),
    ]

    @Test("each value type encodes to its byte vector and decodes back", arguments: 0..<18)
    func valueVectors(index: Int) throws {
        let (_, value, expected) = Self.allValues[index]
        var buffer = ByteBuffer()
        try value.encode(into: &buffer)
        #expect(buffer.bytes == expected)
        let decoded = try AMQPFieldValue.decode(from: &buffer)
        #expect(decoded == value)
        #expect(buffer.readableBytes == 0)
    }

    @Test("a table with every type round-trips and keeps order")
    func everyTypeRoundTrips() throws {
        let table = AMQPTable(Self.allValues.map { (key: $0.0, value: $0.1) })
        var buffer = ByteBuffer()
        try table.encode(into: &buffer)
        let length = buffer.getInteger(at: 0, as: UInt32.self)
        #expect(Int(length ?? 0) == buffer.readableBytes - 4)
        let decoded = try AMQPTable.decode(from: &buffer)
        #expect(decoded == table)
        #expect(decoded.entries.map(\.key) == Self.allValues.map(\.0))
    }

    @Test("a small table matches its byte vector")
    func smallTableVector() throws {
        let table: AMQPTable = ["a": true, "n": 7]
        var buffer = ByteBuffer()
        try table.encode(into: &buffer)
        #expect(
            buffer.bytes == [0, 0, 0, 15, 1, 0x61, 0x74, 1, 1, 0x6E, 0x6C, 0, 0, 0, 0, 0, 0, 0, 7]
        )
    }

    @Test("truncated tables and unknown tags are syntax errors, not crashes")
    func malformedTables() {
        var truncated = ByteBuffer(bytes: [0, 0, 0, 10, 1, 0x61])
        #expect(throws: AMQPError.self) { try AMQPTable.decode(from: &truncated) }
        var badTag = ByteBuffer(bytes: [0, 0, 0, 3, 1, 0x61, 0x3F])
        do {
            _ = try AMQPTable.decode(from: &badTag)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .syntaxError)
        }
        var shortValue = ByteBuffer(bytes: [0, 0, 0, 4, 1, 0x61, 0x49, 0x00])
        #expect(throws: AMQPError.self) { try AMQPTable.decode(from: &shortValue) }
    }

    @Test("subscript reads, replaces, appends and removes")
    func subscriptEditing() {
        var table: AMQPTable = ["x-message-ttl": .int32(1000)]
        table["x-expires"] = .int32(5)
        table["x-message-ttl"] = .int32(2000)
        #expect(table["x-message-ttl"] == .int32(2000))
        #expect(table.entries.map(\.key) == ["x-message-ttl", "x-expires"])
        table["x-expires"] = nil
        #expect(table.count == 1)
    }
}
