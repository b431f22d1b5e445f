import ChatCore

/// How `SearchTerms` read in each database's query language, for terms in the indexed form
/// (`SearchTextNormalizer.indexed`): their words are tokens of letters and digits only (folded
/// words, CJK pairs, `emoji…`), so quoting them cannot break out of a string or an operator.
extension SearchTerms {
    /// The FTS5 `MATCH` expression: `(("a" AND "b c" AND "d" *) NOT "e")`, every term a quoted
    /// string, so no user text is ever read as FTS5 syntax (columns, `NEAR`, `OR`); parenthesised
    /// whole, so a column filter (`text : …`) applies to all of it.
    var fts5Expression: String {
        func string(_ term: Term) -> String {
            "\"" + term.words.joined(separator: " ") + "\"" + (term.isPrefix ? " *" : "")
        }
        var expression = "(" + required.map(string).joined(separator: " AND ") + ")"
        for term in excluded { expression += " NOT " + string(term) }
        return "(" + expression + ")"
    }

    /// The text for `websearch_to_tsquery`: the terms that are not prefixes, each quoted
    /// (`"a" "b c" -"e"`), so `or` and punctuation are never operators; empty when there is none.
    var websearchText: String {
        terms.filter { !$0.isPrefix }.map { ($0.isExcluded ? "-" : "") + "\"" + $0.words.joined(separator: " ") + "\"" }
            .joined(separator: " ")
    }

    /// The `to_tsquery` text of the prefix terms (`websearch_to_tsquery` has no prefixes):
    /// `d:* & !(e <-> f:*)`; empty when there is none.
    var prefixTSQueryText: String {
        terms.filter(\.isPrefix).map { term in
            let phrase = term.words.dropLast().map { $0 + " <-> " }.joined() + term.words.last! + ":*"
            return term.isExcluded ? "!(\(phrase))" : "(\(phrase))"
        }
        .joined(separator: " & ")
    }
}
