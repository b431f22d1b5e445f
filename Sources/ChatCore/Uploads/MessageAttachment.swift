import Foundation
import NIOCore

/// A file a message carries, as every client sees it: enough to show a chip or a preview and
/// to fetch it from `GET /api/files/:id`.
///
/// The message keeps a copy of this (its `attachments` column), so a page of history needs no
/// second read; the server set every field when the file was uploaded (the type sniffed from
/// its bytes), never the sender.
public struct MessageAttachment: Sendable, Equatable, Codable {
    /// The upload's id (`Upload.id`).
    public var id: String
    /// The file name the uploader gave, cleaned (`Upload.cleanName`).
    public var name: String
    /// The sniffed media type (`UploadContentType.mediaType`).
    public var type: String
    /// Bytes.
    public var size: Int64

    public init(id: String, name: String, type: String, size: Int64) {
        self.id = id
        self.name = name
        self.type = type
        self.size = size
    }
}

extension MessageAttachment: StoredJSON {
    public func write(to writer: inout JSONWriter) {
        writer.field("id", id)
        writer.field("name", name)
        writer.field("type", type)
        writer.field("size", size)
    }
}

extension [MessageAttachment] {
    /// The stored form of a message's attachments (a JSON array, as the frames carry it); nil
    /// for none. Written once per message, so `JSONEncoder` is fine here.
    public var storedJSON: String? {
        guard !isEmpty, let data = try? JSONEncoder().encode(self) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads a stored column back; an unreadable one (written by a newer version) reads as none.
    public init(storedJSON: String?) {
        guard let storedJSON,
            let attachments = try? JSONDecoder().decode([MessageAttachment].self, from: Data(storedJSON.utf8))
        else {
            self = []
            return
        }
        self = attachments
    }
}
