import Foundation

/// The one byte range a `Range: bytes=…` header asks for (RFC 9110, 14.1.2), resolved against
/// the file's size.
///
/// Only single ranges are served: a header with several (or one this parser does not read) is
/// ignored and the whole file is sent, which the RFC allows.
struct ByteRange: Equatable {
    /// Byte offsets, end exclusive.
    var range: Range<Int64>

    /// What a `Range` header means for a file of `size` bytes.
    enum Request: Equatable {
        /// No usable range: send the whole file (200).
        case whole
        /// Send this part (206).
        case partial(ByteRange)
        /// No byte of the range exists (416).
        case unsatisfiable
    }

    static func parse(_ header: String?, size: Int64) -> Request {
        guard let header, header.hasPrefix("bytes=") else { return .whole }
        let spec = header.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        switch (Int64(first), Int64(last)) {
        case (let start?, nil) where last.isEmpty && start >= 0:
            // `bytes=500-`: from 500 to the end.
            return start < size ? .partial(ByteRange(range: start..<size)) : .unsatisfiable
        case (nil, let suffix?) where first.isEmpty && suffix >= 0:
            // `bytes=-500`: the last 500 bytes.
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .partial(ByteRange(range: max(0, size - suffix)..<size))
        case (let start?, let end?) where start >= 0 && end >= start:
            return start < size ? .partial(ByteRange(range: start..<min(end + 1, size))) : .unsatisfiable
        default:
            return .whole
        }
    }
}
