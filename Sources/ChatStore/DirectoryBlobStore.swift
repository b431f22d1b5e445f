package import ChatCore
package import Foundation
package import NIOCore
import NIOPosix

/// A `BlobStore` of files in a directory: the default, beside the SQLite database.
///
/// A blob is the file `<directory>/<first two hex digits>/<digest>`; a blob being written is a
/// file in `<directory>/staging/`, renamed into place on commit (a rename within one file
/// system is atomic, so a reader never sees half a blob) or deleted when the blob is already
/// there. Every file operation runs on NIO's blocking-I/O thread pool, never on the event loop
/// or the cooperative pool.
package struct DirectoryBlobStore: BlobStore {
    /// The directory the blobs live in.
    package let directory: URL
    let threadPool: NIOThreadPool

    /// Opens (creating if needed) the store in `directory`.
    package init(directory: URL) throws {
        self.directory = directory
        self.threadPool = .singleton
        try FileManager.default.createDirectory(at: stagingDirectory, withIntermediateDirectories: true)
    }

    /// The directory beside a SQLite database file: `<file>.blobs`.
    package static func beside(databasePath path: String) -> URL {
        URL(fileURLWithPath: path + ".blobs", isDirectory: true)
    }

    var stagingDirectory: URL { directory.appendingPathComponent("staging", isDirectory: true) }

    func url(of digest: BlobDigest) -> URL {
        directory.appendingPathComponent(String(digest.hex.prefix(2)), isDirectory: true)
            .appendingPathComponent(digest.hex, isDirectory: false)
    }

    /// Runs blocking file work on the thread pool, failures as `BlobStoreError`.
    func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        do {
            return try await threadPool.runIfActive(body)
        } catch let error as BlobStoreError {
            throw error
        } catch {
            throw BlobStoreError(.unavailable, "blob directory \(directory.path): \(error)")
        }
    }

    package func makeWriter() async throws -> any BlobWriter {
        let file = stagingDirectory.appendingPathComponent(UUID().uuidString.lowercased(), isDirectory: false)
        let handle = try await blocking {
            guard FileManager.default.createFile(atPath: file.path, contents: nil) else {
                throw BlobStoreError(.unavailable, "cannot create \(file.path)")
            }
            return try FileHandle(forWritingTo: file)
        }
        return DirectoryBlobWriter(store: self, file: file, handle: handle)
    }

    package func size(of digest: BlobDigest) async throws -> Int64? {
        let file = url(of: digest)
        return try await blocking {
            guard FileManager.default.fileExists(atPath: file.path) else { return nil }
            return try file.resourceValues(forKeys: [.fileSizeKey]).fileSize.map(Int64.init)
        }
    }

    package func read(
        _ digest: BlobDigest, range: Range<Int64>, _ body: (ByteBuffer) async throws -> Void
    ) async throws {
        let file = url(of: digest)
        let handle = try await blocking {
            guard let handle = FileHandle(forReadingAtPath: file.path) else {
                throw BlobStoreError(.notFound, "no blob \(digest)")
            }
            return handle
        }
        defer { try? handle.close() }
        var offset = range.lowerBound
        while offset < range.upperBound {
            let count = Int(min(Int64(BlobStoreLimits.chunkBytes), range.upperBound - offset))
            let start = offset
            let data = try await blocking {
                try handle.seek(toOffset: UInt64(start))
                return try handle.read(upToCount: count) ?? Data()
            }
            guard !data.isEmpty else {
                throw BlobStoreError(.unavailable, "blob \(digest) ends at \(offset), before \(range.upperBound)")
            }
            offset += Int64(data.count)
            try await body(ByteBuffer(bytes: data))
        }
    }

    package func delete(_ digest: BlobDigest) async throws {
        let path = url(of: digest).path
        try await blocking {
            guard FileManager.default.fileExists(atPath: path) else { return }
            try FileManager.default.removeItem(atPath: path)
        }
    }

    package func removeAbandonedStaging(olderThan cutoffMillis: Int64) async throws -> Int {
        let staging = stagingDirectory
        let cutoff = Date(timeIntervalSince1970: Double(cutoffMillis) / 1_000)
        return try await blocking {
            var removed = 0
            let files = try FileManager.default.contentsOfDirectory(
                at: staging, includingPropertiesForKeys: [.contentModificationDateKey])
            for file in files {
                let modified = try file.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate
                if let modified, modified < cutoff {
                    try? FileManager.default.removeItem(at: file)
                    removed += 1
                }
            }
            return removed
        }
    }
}
