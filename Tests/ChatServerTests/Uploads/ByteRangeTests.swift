import Testing

@testable import ChatServer

@Suite("ByteRange")
struct ByteRangeTests {
    @Test("single ranges resolve against the size; several, malformed or foreign units mean the whole file")
    func parsing() {
        let size: Int64 = 1_000
        #expect(ByteRange.parse(nil, size: size) == .whole)
        #expect(ByteRange.parse("bytes=0-0", size: size) == .partial(ByteRange(range: 0..<1)))
        #expect(ByteRange.parse("bytes=10-19", size: size) == .partial(ByteRange(range: 10..<20)))
        #expect(ByteRange.parse("bytes=990-", size: size) == .partial(ByteRange(range: 990..<1_000)))
        #expect(ByteRange.parse("bytes=-10", size: size) == .partial(ByteRange(range: 990..<1_000)))
        #expect(
            ByteRange.parse("bytes=-5000", size: size) == .partial(ByteRange(range: 0..<1_000)),
            "a suffix longer than the file")
        #expect(
            ByteRange.parse("bytes=500-99999", size: size) == .partial(ByteRange(range: 500..<1_000)),
            "an end past the file")
        #expect(ByteRange.parse("bytes=1000-", size: size) == .unsatisfiable)
        #expect(ByteRange.parse("bytes=1000-1001", size: size) == .unsatisfiable)
        #expect(ByteRange.parse("bytes=-0", size: size) == .unsatisfiable)
        #expect(ByteRange.parse("bytes=0-1,5-6", size: size) == .whole)
        #expect(ByteRange.parse("bytes=9-3", size: size) == .whole, "an inverted range is ignored")
        #expect(ByteRange.parse("bytes=a-b", size: size) == .whole)
        #expect(ByteRange.parse("items=0-1", size: size) == .whole)
        #expect(ByteRange.parse("bytes=0-", size: 0) == .unsatisfiable, "an empty file has no byte 0")
    }
}
