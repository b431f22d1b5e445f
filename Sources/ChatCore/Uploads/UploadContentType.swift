/// The kinds of file the server accepts, told apart by their bytes (`UploadSniffer`), never by
/// the name or the type a client declares.
///
/// The raw value is what the upload tables keep.
public enum UploadContentType: String, Sendable, CaseIterable {
    case png, jpeg, gif, webp, pdf, text, zip, gzip, tar
    case sevenZip = "7z"

    /// The `Content-Type` a download is served with, and the `type` clients see.
    public var mediaType: String {
        switch self {
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .gif: "image/gif"
        case .webp: "image/webp"
        case .pdf: "application/pdf"
        case .text: "text/plain; charset=utf-8"
        case .zip: "application/zip"
        case .gzip: "application/gzip"
        case .tar: "application/x-tar"
        case .sevenZip: "application/x-7z-compressed"
        }
    }

    /// Images a browser may show inline (`Content-Disposition: inline`); everything else is
    /// served as an attachment, so no uploaded document ever renders in the server's origin.
    public var isInlineImage: Bool {
        switch self {
        case .png, .jpeg, .gif, .webp: true
        default: false
        }
    }
}
