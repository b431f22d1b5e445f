import Foundation

/// Reads a file (or standard input) line by line in 64 KiB chunks, so an import of a large
/// export never holds the whole file.
final class LineReader {
    private let handle: FileHandle
    private var buffer = Data()
    private var atEnd = false
    /// The longest line accepted: a message line is at most a few hundred KiB.
    static let maxLineBytes = 16 << 20

    /// - Parameter path: a file, or `-` for standard input.
    init(path: String) throws {
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw CommandFailure("cannot open \(path)")
            }
            self.handle = handle
        }
    }

    /// The next line without its newline; nil at the end.
    func next() throws -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...newline)
                return line
            }
            if atEnd {
                guard !buffer.isEmpty else { return nil }
                defer { buffer.removeAll() }
                return String(decoding: buffer, as: UTF8.self)
            }
            guard buffer.count <= Self.maxLineBytes else {
                throw CommandFailure("a line longer than \(Self.maxLineBytes) bytes: not an export")
            }
            let chunk = try handle.read(upToCount: 64 << 10) ?? Data()
            if chunk.isEmpty { atEnd = true } else { buffer.append(chunk) }
        }
    }
}
