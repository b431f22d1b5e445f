/// Decides an upload's type from its bytes while they stream past: the magic number at the
/// start for binary formats, or "valid UTF-8 without NUL" over the whole file for plain text.
///
/// It keeps only the first `headBytes` bytes and a few bytes of UTF-8 state, so it costs no
/// memory per byte uploaded. It can refuse early: once the head is complete and matches no
/// allowed format, and the bytes are not text, the upload is refused without reading the rest.
public struct UploadSniffer: Sendable {
    /// Bytes of the head kept: enough for every magic number (tar's is at offset 257).
    public static let headBytes = 512

    /// The first bytes of the file.
    public private(set) var head: [UInt8] = []
    /// Bytes fed so far.
    public private(set) var count: Int64 = 0
    private var text = UTF8Validator()
    private var sawNUL = false

    public init() {}

    /// Takes the next bytes of the file.
    ///
    /// - Returns: false once the file can no longer be of an allowed type (refuse it now).
    public mutating func feed(_ bytes: some Collection<UInt8>) -> Bool {
        if head.count < Self.headBytes { head.append(contentsOf: bytes.prefix(Self.headBytes - head.count)) }
        count += Int64(bytes.count)
        if isTextPossible {
            for byte in bytes {
                if byte == 0 { sawNUL = true }
                text.feed(byte)
                if !isTextPossible { break }
            }
        }
        guard head.count >= Self.headBytes else { return true }
        return Self.magicType(head) != nil || isTextPossible
    }

    private var isTextPossible: Bool { text.isValid && !sawNUL }

    /// The file's type once every byte was fed, or nil when it is of no allowed type (or empty).
    public func finish() -> UploadContentType? {
        if let type = Self.magicType(head) { return type }
        return count > 0 && isTextPossible && text.isComplete ? .text : nil
    }

    /// The binary format whose magic number `head` starts with (tar's sits at offset 257).
    static func magicType(_ head: [UInt8]) -> UploadContentType? {
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + magic.count && Array(head[offset..<offset + magic.count]) == magic
        }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return .gif }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return .webp }
        if starts(Array("%PDF-".utf8)) { return .pdf }
        if starts([0x50, 0x4B, 0x03, 0x04]) || starts([0x50, 0x4B, 0x05, 0x06]) { return .zip }
        if starts([0x1F, 0x8B, 0x08]) { return .gzip }
        if starts([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) { return .sevenZip }
        if starts(Array("ustar".utf8), at: 257) { return .tar }
        return nil
    }
}
