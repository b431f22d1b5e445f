import ChatCore
import Testing

/// The one text form every store searches: folded words, CJK pairs, emoji tokens.
@Suite("Search text normalizer")
struct SearchTextNormalizerTests {
    typealias Term = SearchTerms.Term

    @Test("words folded; CJK runs as pairs and their last character; emoji as ASCII tokens")
    func indexText() {
        #expect(SearchTextNormalizer.indexText("Le CAFÉ, crème!") == "le cafe creme")
        #expect(SearchTextNormalizer.indexText("ＦＵＬＬ width") == "full width")
        #expect(SearchTextNormalizer.indexText("我们明天开会") == "我们 们明 明天 天开 开会 会")
        #expect(SearchTextNormalizer.indexText("明 天。") == "明 天", "runs apart stay apart")
        #expect(SearchTextNormalizer.indexText("hello世界ok") == "hello 世界 界 ok")
        #expect(SearchTextNormalizer.indexText("ｶﾀｶﾅ") == "カタ タカ カナ ナ", "half-width kana in NFKC")
        #expect(SearchTextNormalizer.indexText("が") == "が", "kana keep their voicing mark")
        #expect(SearchTextNormalizer.indexText("party🎉👍🏽!") == "party emoji1f389 emoji1f44d")
        #expect(SearchTextNormalizer.indexText("❤️ ❤ © 1") == "emoji2764 1", "text-style symbols are punctuation")
        #expect(SearchTextNormalizer.indexText("👨‍👩‍👧") == "emoji1f468x200dx1f469x200dx1f467")
        #expect(SearchTextNormalizer.indexText("\u{1}<b>a&amp;b</b>") == "b a amp b b")
    }

    @Test(
        "query terms: a CJK run is its pairs, its last character kept only inside a phrase; one character is a prefix")
    func indexedTerms() {
        func indexed(_ text: String) -> [Term] { SearchTextNormalizer.indexed(SearchTerms(parsing: text)).terms }
        #expect(indexed("明天") == [Term(words: ["明天"])])
        #expect(indexed("明天开") == [Term(words: ["明天", "天开"])])
        #expect(indexed("明") == [Term(words: ["明"], isPrefix: true)])
        #expect(indexed("\"오늘 학교\"") == [Term(words: ["오늘", "늘", "학교"])])
        #expect(indexed("-Café*") == [Term(words: ["cafe"], isPrefix: true, isExcluded: true)])
        #expect(indexed("🎉tonight") == [Term(words: ["emoji1f389", "tonight"])])
    }

    @Test("snippets mark what matched: whole words, CJK characters, emoji with their skin tone")
    func snippets() {
        let matcher = SearchTextMatcher(SearchTerms(parsing: "明天开 👍 cafe*"), substrings: false)
        let snippet = matcher.snippet(of: "我们明天开会 Café 👍🏽")
        #expect(snippet.matches == ["明天开", "Café", "👍🏽"])
        #expect(snippet.text == "我们明天开会 Café 👍🏽")
        #expect(matcher.matches("我们明天开会 Café 👍🏽"))
        #expect(!matcher.matches("我们明天 开会 Café 👍🏽"), "明天开 spans a space")
        let long = (1...40).map { "w\($0)" }.joined(separator: " ") + " 明天开"
        let far = SearchTextMatcher(SearchTerms(parsing: "明天开"), substrings: false).snippet(of: long)
        #expect(far.segments.first?.text.hasPrefix("…") == true)
        #expect(far.matches == ["明天开"])
        let memory = SearchTextMatcher(SearchTerms(parsing: "moji"), substrings: true)
        #expect(!memory.matches("🎉"), "an emoji token is compared whole, even by substrings")
        #expect(SearchTextMatcher(SearchTerms(parsing: "eeting"), substrings: true).matches("Meeting"))
    }
}
