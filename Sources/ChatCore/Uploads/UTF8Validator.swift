/// Checks UTF-8 one byte at a time (the WHATWG decoder's rules: no overlongs, no surrogates,
/// nothing above U+10FFFF), so a text upload is validated as it streams.
struct UTF8Validator: Sendable {
    private var needed = 0
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF
    private(set) var isValid = true

    /// Whether the bytes so far end on a whole character.
    var isComplete: Bool { needed == 0 }

    mutating func feed(_ byte: UInt8) {
        guard isValid else { return }
        if needed == 0 {
            switch byte {
            case 0x00...0x7F: return
            case 0xC2...0xDF: needed = 1
            case 0xE0...0xEF:
                if byte == 0xE0 { lower = 0xA0 }
                if byte == 0xED { upper = 0x9F }
                needed = 2
            case 0xF0...0xF4:
                if byte == 0xF0 { lower = 0x90 }
                if byte == 0xF4 { upper = 0x8F }
                needed = 3
            default: isValid = false
            }
            return
        }
        guard (lower...upper).contains(byte) else {
            isValid = false
            return
        }
        lower = 0x80
        upper = 0xBF
        needed -= 1
    }
}
