/// An excerpt of a message with the words that matched marked, as plain-text segments.
///
/// Segments, not HTML and not in-band markers: a client renders each segment as text and wraps
/// the matching ones (`<mark>` in the web UI), so no message text can ever turn into markup or
/// fake a highlight. Every store makes its snippets with `SearchTextMatcher`, segment by
/// segment from the message's text. (`init(marked:)` reads the U+0001/U+0002-marked excerpts a
/// database's own highlighter would give; the stores no longer use one: it would excerpt the
/// normalised text they index.)
public struct SearchSnippet: Sendable, Equatable {
    /// A run of the excerpt's text; `isMatch` when it is a matched word.
    public struct Segment: Sendable, Equatable {
        /// The text, verbatim.
        public var text: String
        /// Whether it is a word that matched the query (a client highlights it).
        public var isMatch: Bool

        public init(_ text: String, isMatch: Bool = false) {
            self.text = text
            self.isMatch = isMatch
        }
    }

    /// What the stores put before a matched word.
    public static let startMarker: Character = "\u{1}"
    /// What the stores put after a matched word.
    public static let endMarker: Character = "\u{2}"
    /// What an excerpt that does not start or end with the message starts or ends with.
    public static let ellipsis = "…"

    /// The excerpt in order; never an empty segment.
    public var segments: [Segment]

    /// An excerpt of `segments`, empty ones left out.
    public init(segments: [Segment]) {
        self.segments = segments.filter { !$0.text.isEmpty }
    }

    /// Splits a store's marked excerpt into segments.
    public init(marked: String) {
        var segments: [Segment] = []
        var current = ""
        var inMatch = false
        for character in marked {
            switch character {
            case Self.startMarker, Self.endMarker:
                segments.append(Segment(current, isMatch: inMatch))
                current = ""
                inMatch = character == Self.startMarker
            default:
                current.append(character)
            }
        }
        segments.append(Segment(current, isMatch: inMatch))
        self.init(segments: segments)
    }

    /// The text with the two marker characters replaced by spaces: what the stores excerpt from.
    public static func unmarked(_ text: String) -> String {
        guard text.contains(where: { $0 == startMarker || $0 == endMarker }) else { return text }
        return String(text.map { $0 == startMarker || $0 == endMarker ? " " : $0 })
    }

    /// The excerpt with `…` where it does not reach the start or the end of `text`, the message
    /// it was taken from (PostgreSQL's `ts_headline` cuts without saying so).
    public func withEllipses(in text: String) -> SearchSnippet {
        let plain = self.text.trimmingWhitespace
        let whole = text.trimmingWhitespace
        var segments = self.segments
        if !whole.hasPrefix(plain) { segments.insert(Segment(Self.ellipsis), at: 0) }
        if !whole.hasSuffix(plain) { segments.append(Segment(Self.ellipsis)) }
        return SearchSnippet(segments: segments)
    }

    /// The excerpt as plain text, without marks.
    public var text: String { segments.map(\.text).joined() }

    /// The matched words, in order.
    public var matches: [String] { segments.filter(\.isMatch).map(\.text) }
}

extension String {
    fileprivate var trimmingWhitespace: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
