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

    /// The JSON the stores keep in a message's `reply_quote` column.
    public var storedJSON: String {
        var writer = JSONWriter(capacity: 96)
        write(to: &writer)
        return String(buffer: writer.finish())
    }

    /// Reads a stored `reply_quote` column back.
    public init(storedJSON: String) throws {
        self = try JSONDecoder().decode(MessageQuote.self, from: Data(storedJSON.utf8))
    }
}

extension MessageQuote: HandEncodedFrame {
    public func write(to writer: inout JSONWriter) {
        writer.field("seq", seq)
        writer.field("from", from)
        writer.field("text", text)
    }
}
