import Foundation
import NIOCore

/// A value a store keeps as a JSON column: written by hand (the same object the frames carry),
/// read back with `Codable`. Room events, message updates and reply quotes share it, so the
/// column holds exactly what clients see.
public protocol StoredJSON: HandEncodedFrame, Decodable {}

extension StoredJSON {
    /// The column's text.
    public var storedJSON: String {
        var writer = JSONWriter(capacity: 96)
        write(to: &writer)
        return String(buffer: writer.finish())
    }

    /// Reads a column back.
    ///
    /// - Throws: `DecodingError` when the column does not hold this type (a row written by hand,
    ///   or by a newer version with a case this one does not know).
    public init(storedJSON: String) throws {
        self = try JSONDecoder().decode(Self.self, from: Data(storedJSON.utf8))
    }
}
