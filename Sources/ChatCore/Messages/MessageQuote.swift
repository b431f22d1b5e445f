import Foundation
import NIOCore

/// The message a reply answers, as the reply shows it: its `seq` (to jump to), its author and the
/// start of its text. Kept with the reply, so a page of history needs no second read; a delete
/// of the original empties the quotes of it.
public struct MessageQuote: Sendable, Equatable, Codable {
    /// Characters of the original a quote keeps.
    public static let maxScalars = 100

    public var seq: Int64
    public var from: String
    /// The start of the original's text; empty once the original was deleted.
    public var text: String

    public init(seq: Int64, from: String, text: String) {
        self.seq = seq
        self.from = from
        self.text = String(String.UnicodeScalarView(text.unicodeScalars.prefix(Self.maxScalars)))
    }
}

extension MessageQuote: StoredJSON {
    public func write(to writer: inout JSONWriter) {
        writer.field("seq", seq)
        writer.field("from", from)
        writer.field("text", text)
    }
}
