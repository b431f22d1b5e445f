import Glibc

/// Finds the few fields the load generator needs in a server frame without parsing the JSON.
///
/// Server frames are compact JSON objects written by one encoder; the bench only needs the
/// top-level `type` (the first `"type":"` in the frame, since every frame type declares it
/// first), and for messages `seq` and `text`. `memchr` keeps this far below the cost of a JSON
/// parser, so the generator is not the bottleneck it is measuring.
package enum FrameScanner {
    /// The kinds of server frame the bench reacts to.
    package enum Kind: Sendable, Equatable {
        case welcome, joined, message, ack, presence, error, pong, other
    }

    private static let typeKey = Array(#""type":""#.utf8)
    private static let seqKey = Array(#""seq":"#.utf8)
    private static let textKey = Array(#""text":""#.utf8)

    /// The frame's `type`.
    package static func kind(_ bytes: UnsafeRawBufferPointer) -> Kind {
        guard let start = find(typeKey, in: bytes, from: 0) else { return .other }
        let end = bytes[start...].firstIndex(of: UInt8(ascii: "\"")) ?? bytes.endIndex
        let length = end - start
        guard length >= 3 else { return .other }
        switch (bytes[start], length) {
        case (UInt8(ascii: "m"), 7): return .message
        case (UInt8(ascii: "a"), 3): return .ack
        case (UInt8(ascii: "p"), 8): return .presence
        case (UInt8(ascii: "p"), 4): return .pong
        case (UInt8(ascii: "w"), 7): return .welcome
        case (UInt8(ascii: "j"), 6): return .joined
        case (UInt8(ascii: "e"), 5): return .error
        default: return .other
        }
    }

    /// The integer after `"seq":`.
    package static func seq(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        guard let start = find(seqKey, in: bytes, from: 0) else { return nil }
        return integer(bytes, at: start).map(\.value)
    }

    /// The bench text of a message: `<sender>.<n>.<sentNanos>`.
    package static func benchText(_ bytes: UnsafeRawBufferPointer) -> BenchText? {
        guard let start = find(textKey, in: bytes, from: 0),
            let (sender, afterSender) = integer(bytes, at: start),
            afterSender < bytes.count, bytes[afterSender] == UInt8(ascii: "."),
            let (number, afterNumber) = integer(bytes, at: afterSender + 1),
            afterNumber < bytes.count, bytes[afterNumber] == UInt8(ascii: "."),
            let (nanos, _) = integer(bytes, at: afterNumber + 1)
        else { return nil }
        return BenchText(sender: Int(sender), number: Int(number), sentNanos: UInt64(nanos))
    }

    /// The index just after `pattern`'s first occurrence at or after `offset`.
    ///
    /// `memchr` for the first byte, `memcmp` for the rest (glibc's `memmem` needs `_GNU_SOURCE`).
    static func find(_ pattern: [UInt8], in bytes: UnsafeRawBufferPointer, from offset: Int) -> Int? {
        guard let base = bytes.baseAddress, let first = pattern.first else { return nil }
        return pattern.withUnsafeBytes { needle -> Int? in
            var position = offset
            let last = bytes.count - needle.count
            while position <= last {
                guard let hit = memchr(base + position, Int32(first), last - position + 1) else { return nil }
                let index = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + index, needle.baseAddress!, needle.count) == 0 { return index + needle.count }
                position = index + 1
            }
            return nil
        }
    }

    /// A non-negative decimal integer at `index`, and the index after it.
    static func integer(_ bytes: UnsafeRawBufferPointer, at index: Int) -> (value: Int64, end: Int)? {
        var value: Int64 = 0
        var i = index
        while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
            value = value &* 10 &+ Int64(bytes[i] &- UInt8(ascii: "0"))
            i += 1
        }
        return i == index ? nil : (value, i)
    }
}

/// What the bench writes in a message's text, so every receipt knows its sender and send time.
package struct BenchText: Sendable, Equatable {
    package var sender: Int
    package var number: Int
    package var sentNanos: UInt64
}
