import ChatCore
import Testing

/// The search box's syntax, parsed once for every store.
@Suite("Search terms")
struct SearchTermsTests {
    typealias Term = SearchTerms.Term

    @Test("words, quoted phrases, prefixes and exclusions")
    func syntax() {
        #expect(
            SearchTerms(parsing: #"meeting  "New York"* -lunch -"no way" meet* or"#).terms == [
                Term(words: ["meeting"]),
                Term(words: ["New", "York"], isPrefix: true),
                Term(words: ["lunch"], isExcluded: true),
                Term(words: ["no", "way"], isExcluded: true),
                Term(words: ["meet"], isPrefix: true),
                Term(words: ["or"]),
            ])
    }

    @Test("punctuation separates words, emoji are word characters; a term without either is dropped")
    func wordCharacters() {
        #expect(SearchTerms(parsing: "hello-world").terms == [Term(words: ["hello", "world"])])
        #expect(SearchTerms(parsing: "tonight🎉 !!! - 🎉").terms == [Term(words: ["tonight🎉"]), Term(words: ["🎉"])])
        #expect(SearchTerms(parsing: "東京タワー café").terms == [Term(words: ["東京タワー"]), Term(words: ["café"])])
        #expect(SearchTerms(parsing: "🎉").isSearchable)
        #expect(!SearchTerms(parsing: "© ... --").isSearchable, "a symbol that is not an emoji is punctuation")
        #expect(!SearchTerms(parsing: "-only -excluded").isSearchable, "nothing required: nothing to look for")
        #expect(SearchTerms(parsing: "").terms.isEmpty)
    }

    @Test("an unclosed quote runs to the end; a quote inside a word starts a phrase")
    func quotes() {
        #expect(SearchTerms(parsing: #""york is"#).terms == [Term(words: ["york", "is"])])
        #expect(SearchTerms(parsing: #"foo"bar baz""#).terms == [Term(words: ["foo"]), Term(words: ["bar", "baz"])])
        #expect(SearchTerms(parsing: #""""#).terms.isEmpty)
    }

    @Test("snippets split on the stores' markers; the markers in a text become spaces first")
    func snippets() {
        let snippet = SearchSnippet(marked: "a \u{1}hit\u{2} and \u{1}more\u{2}")
        #expect(
            snippet.segments == [
                .init("a "), .init("hit", isMatch: true), .init(" and "), .init("more", isMatch: true),
            ])
        #expect(snippet.matches == ["hit", "more"])
        #expect(SearchSnippet.unmarked("x\u{1}y\u{2}z") == "x y z")
        #expect(
            SearchSnippet(marked: "middle \u{1}of\u{2} it").withEllipses(in: "the middle of it all").text
                == "…middle of it…")
        #expect(SearchCursor(text: "12") == SearchCursor(position: 12))
        #expect(SearchCursor(text: "0") == nil && SearchCursor(text: "x") == nil && SearchCursor(text: "-3") == nil)
    }
}
