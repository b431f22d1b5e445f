/// Matches a query against a message's tokens (`SearchTextNormalizer`): the memory store's
/// search, and every store's snippet, so a snippet marks what the database matched.
///
/// Two ways to compare a word (`substrings`), one for each kind of store:
/// - whole words (SQLite, PostgreSQL): a term's tokens follow each other in the text, equal,
///   the last one a prefix when the term is;
/// - substrings (memory): a word token may also match inside a word, as the text of the term's
///   words would inside the text's (`caf` finds "Café", `"ork pi"` finds "York pizza"); CJK and
///   emoji tokens are compared whole either way (pairs already make CJK substrings).
public struct SearchTextMatcher: Sendable {
    private let required: [SearchTerms.Term]
    private let excluded: [SearchTerms.Term]
    private let substrings: Bool
    /// Words (or CJK characters, or emoji) a snippet shows at most.
    public static let snippetWords = 16

    /// A matcher of `terms` (as parsed: they are normalised here).
    public init(_ terms: SearchTerms, substrings: Bool) {
        let indexed = SearchTextNormalizer.indexed(terms)
        required = indexed.required
        excluded = indexed.excluded
        self.substrings = substrings
    }

    /// Whether `text` contains every required term and no excluded one.
    public func matches(_ text: String) -> Bool {
        guard !required.isEmpty else { return false }
        let tokens = SearchTextNormalizer.tokens(in: text)
        return required.allSatisfy { !occurrences(of: $0, in: tokens, of: text).isEmpty }
            && !excluded.contains { !occurrences(of: $0, in: tokens, of: text).isEmpty }
    }

    /// An excerpt of `text` around its first match, what each required term matched marked.
    public func snippet(of text: String) -> SearchSnippet {
        let tokens = SearchTextNormalizer.tokens(in: text)
        var marks = required.flatMap { occurrences(of: $0, in: tokens, of: text).joined() }
        marks.sort { $0.lowerBound < $1.lowerBound }
        var merged: [Range<String.Index>] = []
        for mark in marks {
            if let last = merged.last, mark.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, mark.upperBound)
            } else {
                merged.append(mark)
            }
        }
        // What the excerpt counts: words and emoji, and each CJK character (the first of a pair).
        var units: [Range<String.Index>] = []
        for token in tokens {
            let unit =
                token.kind == .cjk ? token.range.lowerBound..<text.index(after: token.range.lowerBound) : token.range
            if units.last?.lowerBound != unit.lowerBound { units.append(unit) }
        }
        guard !units.isEmpty else { return SearchSnippet(segments: [.init(text)]) }
        let first = merged.first.flatMap { mark in units.firstIndex { $0.upperBound > mark.lowerBound } } ?? 0
        let startUnit = max(0, min(first - Self.snippetWords / 3, units.count - Self.snippetWords))
        let endUnit = min(units.count, startUnit + Self.snippetWords)
        let windowStart = startUnit == 0 ? text.startIndex : units[startUnit].lowerBound
        let windowEnd = endUnit == units.count ? text.endIndex : units[endUnit - 1].upperBound
        var segments: [SearchSnippet.Segment] = []
        if startUnit > 0 { segments.append(.init(SearchSnippet.ellipsis)) }
        var cursor = windowStart
        for mark in merged {
            let lower = max(mark.lowerBound, cursor)
            let upper = min(mark.upperBound, windowEnd)
            guard lower < upper else { continue }
            segments.append(.init(String(text[cursor..<lower])))
            segments.append(.init(String(text[lower..<upper]), isMatch: true))
            cursor = upper
        }
        segments.append(.init(String(text[cursor..<windowEnd])))
        if endUnit < units.count { segments.append(.init(SearchSnippet.ellipsis)) }
        // Neighbouring plain segments read as one.
        var joined: [SearchSnippet.Segment] = []
        for segment in segments where !segment.text.isEmpty {
            if let last = joined.last, !last.isMatch, !segment.isMatch {
                joined[joined.count - 1].text += segment.text
            } else {
                joined.append(segment)
            }
        }
        return SearchSnippet(segments: joined)
    }

    /// Where `term` occurs in `tokens` (of `text`): for each occurrence, the characters of the
    /// text each of its tokens matched.
    private func occurrences(
        of term: SearchTerms.Term, in tokens: [SearchTextNormalizer.Token], of text: String
    ) -> [[Range<String.Index>]] {
        let words = term.words
        guard !words.isEmpty, words.count <= tokens.count else { return [] }
        var found: [[Range<String.Index>]] = []
        for start in 0...(tokens.count - words.count) {
            var ranges: [Range<String.Index>] = []
            for (offset, word) in words.enumerated() {
                let isLast = offset == words.count - 1
                guard
                    let range = match(
                        tokens[start + offset], word, at: offset, of: words.count, isPrefix: term.isPrefix && isLast,
                        in: text)
                else { break }
                ranges.append(range)
            }
            if ranges.count == words.count { found.append(ranges) }
        }
        return found
    }

    /// The characters of `text` that `token` stands for when it matches `word`, the term's
    /// `offset`th of `count`; nil when it does not.
    private func match(
        _ token: SearchTextNormalizer.Token, _ word: String, at offset: Int, of count: Int, isPrefix: Bool,
        in text: String
    ) -> Range<String.Index>? {
        if token.kind == .word, substrings {
            let hit: Bool
            if count == 1 {
                hit = token.text.contains(word)
            } else if offset == 0 {
                hit = token.text.hasSuffix(word)
            } else if offset == count - 1 {
                hit = token.text.hasPrefix(word)
            } else {
                hit = token.text == word
            }
            return hit ? token.range : nil
        }
        if token.text == word { return token.range }
        guard isPrefix, token.text.hasPrefix(word) else { return nil }
        // One CJK character, the start of a pair: that character only.
        if token.kind == .cjk, word.count == 1 {
            return token.range.lowerBound..<text.index(after: token.range.lowerBound)
        }
        return token.range
    }
}
