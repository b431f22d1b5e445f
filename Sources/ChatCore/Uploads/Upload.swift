import Foundation

/// One accepted upload: who sent which bytes under which name, as the upload tables keep it.
///
/// The bytes live in a `BlobStore` under their SHA-256 (`digest`), once however often they are
/// uploaded; each upload is its own row with its own id, uploader and name, so a quota counts
/// what each user sent and collecting one upload never takes another's file.
public struct Upload: Sendable, Equatable {
    /// The longest file name kept, in characters; longer ones are cut.
    public static let maxNameLength = 200

    /// Random and unguessable (a UUID): the name of the file in `GET /api/files/:id`.
    public var id: String
    /// Where the bytes are (`BlobDigest`).
    public var digest: BlobDigest
    /// The registered user who uploaded it (a guest's nick when guests may upload).
    public var uploader: String
    /// The file name the client gave, cleaned (`cleanName`); shown, never trusted for the type.
    public var name: String
    /// The type sniffed from the bytes.
    public var contentType: UploadContentType
    /// Bytes.
    public var size: Int64
    /// Milliseconds since 1970 when it was stored; the grace period of collection counts from it.
    public var createdAt: Int64

    public init(
        id: String, digest: BlobDigest, uploader: String, name: String, contentType: UploadContentType, size: Int64,
        createdAt: Int64
    ) {
        self.id = id
        self.digest = digest
        self.uploader = uploader
        self.name = name
        self.contentType = contentType
        self.size = size
        self.createdAt = createdAt
    }

    /// What a message that carries this upload shows.
    public var attachment: MessageAttachment {
        MessageAttachment(id: id, name: name, type: contentType.mediaType, size: size)
    }

    /// Whether `id` has the shape of an upload id (a lower-case UUID): anything else is refused
    /// before a store is asked.
    public static func isValidID(_ id: String) -> Bool {
        id.utf8.count == 36 && UUID(uuidString: id) != nil && id == id.lowercased()
    }

    /// A file name safe to store and to put in a `Content-Disposition` header: the last path
    /// component, control characters, quotes and backslashes dropped, at most `maxNameLength`
    /// characters; `file` when nothing is left.
    public static func cleanName(_ raw: String) -> String {
        let last = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let kept = last.unicodeScalars.filter { scalar in
            !(scalar.properties.generalCategory == .control || scalar == "\"" || scalar == "\\"
                || scalar.properties.generalCategory == .format)
        }
        var name = String(String.UnicodeScalarView(kept)).trimmingCharacters(in: .whitespaces)
        if name.count > maxNameLength { name = String(name.prefix(maxNameLength)) }
        return name.isEmpty || name == "." || name == ".." ? "file" : name
    }
}
