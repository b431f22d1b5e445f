/// What a search looks for, parsed once from what the user typed so every store reads the same
/// query.
///
/// The syntax is the common one of web search boxes (PostgreSQL's `websearch_to_tsquery`):
/// - words are all required (`meeting notes` finds messages with both words);
/// - `"quoted words"` must appear together, in that order;
/// - a trailing `*` makes the last word a prefix (`meet*` finds "meeting");
/// - a leading `-` excludes a word or a quoted phrase (`lunch -friday`).
///
/// `or` is a plain word. A word is a run of letters, digits and emoji
/// (`SearchTextNormalizer.isWordCharacter`): punctuation separates words and is not searched,
/// so `hello-world` is the phrase "hello world", and a query of punctuation alone has nothing to
/// search for (`isSearchable` is false). The words are kept as typed; `SearchTextNormalizer`
/// turns them into what the stores match (CJK pairs, emoji tokens, folded words).
public struct SearchTerms: Sendable, Equatable {
    /// One required or excluded word or phrase.
    public struct Term: Sendable, Equatable {
        /// The term's words, as typed: one for a word, several for a phrase.
        public var words: [String]
        /// The last word is a prefix.
        public var isPrefix: Bool
        /// Messages containing the term are left out.
        public var isExcluded: Bool

        public init(words: [String], isPrefix: Bool = false, isExcluded: Bool = false) {
            self.words = words
            self.isPrefix = isPrefix
            self.isExcluded = isExcluded
        }
    }

    /// The terms, in the order typed.
    public var terms: [Term]

    /// The query of `terms`; a term without words is left out.
    public init(terms: [Term]) {
        self.terms = terms.filter { !$0.words.isEmpty }
    }

    /// Parses what the user typed; never fails (unbalanced quotes end at the end).
    public init(parsing text: String) {
        var terms: [Term] = []
        var characters = Substring(text)
        while let first = characters.first {
            if first.isWhitespace {
                characters.removeFirst()
                continue
            }
            var excluded = false
            if first == "-", let next = characters.dropFirst().first, !next.isWhitespace {
                excluded = true
                characters.removeFirst()
            }
            let body: Substring
            if characters.first == "\"" {
                characters.removeFirst()
                let end = characters.firstIndex(of: "\"") ?? characters.endIndex
                body = characters[..<end]
                characters = end < characters.endIndex ? characters[characters.index(after: end)...] : ""
            } else {
                let end = characters.firstIndex(where: { $0.isWhitespace || $0 == "\"" }) ?? characters.endIndex
                body = characters[..<end]
                characters = characters[end...]
            }
            var prefix = false
            if characters.first == "*" {
                prefix = true
                characters.removeFirst()
            } else if body.last == "*" {
                prefix = true
            }
            terms.append(Term(words: Self.words(in: body), isPrefix: prefix, isExcluded: excluded))
        }
        self.init(terms: terms)
    }

    /// Whether a character belongs to a word (the rest separates words).
    public static func isWordCharacter(_ character: Character) -> Bool {
        SearchTextNormalizer.isWordCharacter(character)
    }

    /// The runs of word characters in `text`.
    public static func words(in text: Substring) -> [String] {
        text.split(whereSeparator: { !isWordCharacter($0) }).map(String.init)
    }

    /// The terms a message must contain.
    public var required: [Term] { terms.filter { !$0.isExcluded } }

    /// The terms a message must not contain.
    public var excluded: [Term] { terms.filter(\.isExcluded) }

    /// Whether there is anything to look for: at least one required term.
    public var isSearchable: Bool { terms.contains { !$0.isExcluded } }
}
