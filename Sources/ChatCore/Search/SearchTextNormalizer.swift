import Foundation

/// The one form of text every store searches, so SQLite, PostgreSQL and memory match alike
/// whatever their own tokenizers do with accents, CJK and emoji.
///
/// A message's text becomes tokens (docs/STORAGE.md, "What each store matches"):
/// - a run of other letters and digits is one word, case, accents and width folded
///   (`Café` → `cafe`, `ＡＢＣ` → `abc`);
/// - a run of CJK characters (Han, kana, Hangul, Bopomofo), which has no spaces between words,
///   becomes its overlapping pairs plus its last character alone (`我们明天` → `我们 们明 明天 天`),
///   in NFKC but not accent-folded (`が` is not `か`). A query for `明天` is then the pair
///   `明天`, for `明天开` the phrase `明天 天开`: a substring of the run, as Lucene's CJK
///   analyzer and pg_bigm do it; one character is a prefix of the pairs (or the last one alone);
/// - each emoji is the ASCII word `emoji` and its scalars in hex (`👍` → `emoji1f44d`), skin tones
///   and variation selectors left out (`👍🏽` is `👍`), so no tokenizer drops it.
///
/// Everything else separates tokens. The SQL stores index `indexText` (a column written with the
/// message) and query `indexed(_:)`; the memory store and every snippet match `tokens(in:)`.
public enum SearchTextNormalizer {
    /// One token of a text and where it came from.
    public struct Token: Sendable, Equatable {
        /// What a token is made of: matching and snippets treat them differently.
        public enum Kind: Sendable, Equatable {
            /// A run of letters and digits outside CJK, folded.
            case word
            /// A pair of CJK characters, or one (the end of a run).
            case cjk
            /// One emoji, as `emoji…`.
            case emoji
        }

        /// The indexed form.
        public var text: String
        /// What it is.
        public var kind: Kind
        /// The characters of the original text it stands for.
        public var range: Range<String.Index>
    }

    /// The characters a word starts with in an emoji's token.
    public static let emojiPrefix = "emoji"

    /// The tokens of `text`, in order.
    public static func tokens(in text: String) -> [Token] {
        var tokens: [Token] = []
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if isEmoji(character) {
                tokens.append(Token(text: emojiToken(character), kind: .emoji, range: index..<next))
                index = next
            } else if isCJK(character) {
                // Each character in NFKC (half-width kana become full-width; one character may
                // become several, sharing its range).
                var run: [(character: Character, range: Range<String.Index>)] = []
                while index < text.endIndex, isCJK(text[index]) {
                    let after = text.index(after: index)
                    for form in String(text[index]).precomposedStringWithCompatibilityMapping {
                        run.append((form, index..<after))
                    }
                    index = after
                }
                for pair in zip(run, run.dropFirst()) {
                    tokens.append(
                        Token(
                            text: String([pair.0.character, pair.1.character]), kind: .cjk,
                            range: pair.0.range.lowerBound..<pair.1.range.upperBound))
                }
                if let last = run.last {
                    tokens.append(Token(text: String(last.character), kind: .cjk, range: last.range))
                }
            } else if isWordCharacter(character) {
                var end = next
                while end < text.endIndex, isWordCharacter(text[end]), !isEmoji(text[end]), !isCJK(text[end]) {
                    end = text.index(after: end)
                }
                tokens.append(Token(text: fold(text[index..<end]), kind: .word, range: index..<end))
                index = end
            } else {
                index = next
            }
        }
        return tokens
    }

    /// What the SQL stores index for a message's text: its tokens, separated by spaces.
    public static func indexText(_ text: String) -> String {
        tokens(in: text).map(\.text).joined(separator: " ")
    }

    /// `terms` in the indexed form: each term's words become its tokens, so a store matches them
    /// against `indexText` as a phrase. A term's last CJK run leaves out the run's last character
    /// alone (the text's run may go on: `明天` is in `明天开会`); a last run of one character makes
    /// the term a prefix (`明` is the start of `明天`, or a run's last `明`).
    public static func indexed(_ terms: SearchTerms) -> SearchTerms {
        SearchTerms(
            terms: terms.terms.map { term in
                var tokens = Self.tokens(in: term.words.joined(separator: " "))
                var isPrefix = term.isPrefix
                if let last = tokens.last, last.kind == .cjk {
                    let before = tokens.dropLast().last
                    if let before, before.kind == .cjk, before.range.upperBound == last.range.upperBound {
                        tokens.removeLast()
                    } else {
                        isPrefix = true
                    }
                }
                return SearchTerms.Term(words: tokens.map(\.text), isPrefix: isPrefix, isExcluded: term.isExcluded)
            })
    }

    /// Whether a character belongs to a token: a letter, a digit or an emoji.
    public static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || isEmoji(character)
    }

    /// Whether a character is an emoji: one shown as an emoji by default, or asked to be (U+FE0F),
    /// or a sequence (skin tone, ZWJ, keycap). `©` or a digit alone is not.
    public static func isEmoji(_ character: Character) -> Bool {
        let scalars = character.unicodeScalars
        guard let first = scalars.first, first.properties.isEmoji else { return false }
        return first.properties.isEmojiPresentation || scalars.count > 1 && scalars.contains("\u{FE0F}")
            || scalars.count > 1 && scalars.contains { $0.value == 0x200D || $0.properties.isEmojiModifier }
    }

    /// Whether a character is a CJK letter or digit (Han, Hiragana, Katakana, Hangul, Bopomofo).
    public static func isCJK(_ character: Character) -> Bool {
        guard character.isLetter || character.isNumber, let scalar = character.unicodeScalars.first else {
            return false
        }
        switch scalar.value {
        case 0x1100...0x11FF,  // Hangul Jamo
            0x2E80...0x2FDF,  // CJK and Kangxi radicals
            0x3005...0x3007, 0x3021...0x3029, 0x3031...0x3035, 0x3038...0x303C,  // 々〆〇, Hangzhou numerals, kana repeats
            0x3040...0x30FF,  // Hiragana, Katakana
            0x3100...0x31BF,  // Bopomofo, Hangul compatibility jamo, Kanbun
            0x31F0...0x31FF,  // Katakana phonetic extensions
            0x3400...0x4DBF,  // CJK extension A
            0x4E00...0x9FFF,  // CJK unified ideographs
            0xA960...0xA97F,  // Hangul Jamo extended A
            0xAC00...0xD7FF,  // Hangul syllables, Jamo extended B
            0xF900...0xFAFF,  // CJK compatibility ideographs
            0xFF66...0xFFDC,  // half-width Katakana and Hangul
            0x1B000...0x1B16F,  // kana supplement and extensions
            0x20000...0x3FFFF:  // CJK extensions B and later
            return true
        default:
            return false
        }
    }

    /// A word folded as every store compares it: case, diacritics and width. An ASCII word (most
    /// words of most chats) only needs lower-casing, which is much cheaper than Foundation's
    /// folding (this runs for every word of every message stored, and of every snippet).
    static func fold(_ word: Substring) -> String {
        if word.utf8.allSatisfy({ $0 < 0x80 }) { return word.lowercased() }
        return word.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
    }

    /// `emoji` and the hex of the emoji's scalars but variation selectors and skin tones, joined
    /// by `x` (`👨‍👩‍👧` → `emoji1f468x200dx1f469x200dx1f467`).
    static func emojiToken(_ character: Character) -> String {
        let scalars: [Unicode.Scalar] = character.unicodeScalars.filter { scalar in
            !(0xFE00...0xFE0F).contains(scalar.value) && !scalar.properties.isEmojiModifier
        }
        let kept = scalars.isEmpty ? Array(character.unicodeScalars) : scalars
        return emojiPrefix + kept.map { String($0.value, radix: 16) }.joined(separator: "x")
    }
}
