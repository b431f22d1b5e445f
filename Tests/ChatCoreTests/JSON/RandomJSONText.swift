import TestSupport

/// Random strings that stress JSON escaping: quotes, backslashes, every control character,
/// `</script>`, U+2028/U+2029, non-Latin scripts, combining marks and astral-plane emoji.
enum RandomJSONText {
    static let pieces: [String] =
        [
            "a", "Z", " ", "\"", "\\", "/", "</script>", "\u{2028}", "\u{2029}", "\u{7F}", "é", "e\u{301}",
            "日本語", "Ελληνικά", "עברית", "😀", "👩‍👩‍👧", "🇫🇷", "\u{10FFFF}", "\u{FFFD}", "{", "}", "[", "]", ":", ",",
            "\\u0041", "null", "true", "1e9",
        ] + (0..<0x20).map { String(UnicodeScalar(UInt8($0))) }

    static func string(using generator: inout SplitMix64, maxPieces: Int = 12) -> String {
        let count = Int.random(in: 0...maxPieces, using: &generator)
        return (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined()
    }
}
