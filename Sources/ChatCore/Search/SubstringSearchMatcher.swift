import Foundation

/// The in-memory store's search: case- and accent-insensitive substrings over a message's words.
///
/// A message's words (`SearchTerms.words(in:)`) are folded (case and diacritics) and joined by
/// single spaces; a term matches when its folded words, joined the same way, are a substring of
/// that. So `caf` finds "Café", `"hello world"` finds "Hello, world!", and a prefix is just a
/// substring. Matched words are marked whole in the snippet.
struct SubstringSearchMatcher {
    private let required: [[String]]
    private let excluded: [[String]]
    /// Words a snippet shows at most; as many as SQLite's `snippet()` is asked for.
    static let snippetWords = 16

    init(_ terms: SearchTerms) {
        required = terms.required.map { $0.words.map(Self.fold) }
        excluded = terms.excluded.map { $0.words.map(Self.fold) }
    }

    static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }

    /// The ranges of the words of `text`.
    static func wordRanges(in text: String) -> [Range<String.Index>] {
        var ranges: [Range<String.Index>] = []
        var start: String.Index?
        var index = text.startIndex
        while index < text.endIndex {
            if SearchTerms.isWordCharacter(text[index]) {
                if start == nil { start = index }
            } else if let begun = start {
                ranges.append(begun..<index)
                start = nil
            }
            index = text.index(after: index)
        }
        if let start { ranges.append(start..<text.endIndex) }
        return ranges
    }

    /// Whether `text` contains every required term and no excluded one.
    func matches(_ text: String) -> Bool {
        guard !required.isEmpty else { return false }
        let joined = " " + Self.wordRanges(in: text).map { Self.fold(String(text[$0])) }.joined(separator: " ") + " "
        func contains(_ term: [String]) -> Bool { joined.contains(term.joined(separator: " ")) }
        return required.allSatisfy(contains) && !excluded.contains(where: contains)
    }

    /// An excerpt of `text` around its first match, matched words marked.
    func snippet(of text: String) -> SearchSnippet {
        let ranges = Self.wordRanges(in: text)
        let folded = ranges.map { Self.fold(String(text[$0])) }
        var marked = Set<Int>()
        for term in required {
            for start in folded.indices where start + term.count <= folded.count {
                let window = folded[start..<(start + term.count)]
                let hit: Bool
                if term.count == 1 {
                    hit = window.first!.contains(term[0])
                } else {
                    hit =
                        window.first!.hasSuffix(term[0]) && window.last!.hasPrefix(term[term.count - 1])
                        && zip(window.dropFirst().dropLast(), term.dropFirst().dropLast()).allSatisfy { $0 == $1 }
                }
                if hit { marked.formUnion(start..<(start + term.count)) }
            }
        }
        guard !ranges.isEmpty else { return SearchSnippet(segments: [.init(text)]) }
        let first = marked.min() ?? 0
        let startWord = max(0, min(first - Self.snippetWords / 3, ranges.count - Self.snippetWords))
        let endWord = min(ranges.count, startWord + Self.snippetWords)
        var segments: [SearchSnippet.Segment] = []
        if startWord > 0 { segments.append(.init(SearchSnippet.ellipsis)) }
        var cursor = startWord == 0 ? text.startIndex : ranges[startWord].lowerBound
        for word in startWord..<endWord {
            segments.append(.init(String(text[cursor..<ranges[word].lowerBound])))
            segments.append(.init(String(text[ranges[word]]), isMatch: marked.contains(word)))
            cursor = ranges[word].upperBound
        }
        if endWord == ranges.count {
            segments.append(.init(String(text[cursor...])))
        } else {
            segments.append(.init(SearchSnippet.ellipsis))
        }
        // Neighbouring plain segments read as one.
        var merged: [SearchSnippet.Segment] = []
        for segment in segments {
            if let last = merged.last, !last.isMatch, !segment.isMatch {
                merged[merged.count - 1].text += segment.text
            } else {
                merged.append(segment)
            }
        }
        return SearchSnippet(segments: merged)
    }
}
