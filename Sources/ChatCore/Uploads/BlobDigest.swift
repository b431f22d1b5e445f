/// The SHA-256 of a blob, as 64 lower-case hex digits: the blob's name in every `BlobStore`.
///
/// A value of this type is always well formed, so a store may build a file path or a key from
/// it without escaping (the directory store does).
public struct BlobDigest: Sendable, Hashable, CustomStringConvertible {
    /// The 64 hex digits.
    public let hex: String

    /// Accepts exactly 64 lower-case hex digits.
    public init?(hex: String) {
        guard hex.utf8.count == 64,
            hex.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
        else { return nil }
        self.hex = hex
    }

    /// The digest of `bytes` as the hasher gave them.
    public init(bytes: some Sequence<UInt8>) {
        var hex = ""
        hex.reserveCapacity(64)
        for byte in bytes {
            let digits = String(byte, radix: 16)
            if byte < 16 { hex += "0" }
            hex += digits
        }
        precondition(hex.utf8.count == 64, "a SHA-256 digest has 32 bytes, not \(hex.utf8.count / 2)")
        self.hex = hex
    }

    public var description: String { hex }
}
