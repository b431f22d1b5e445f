public import NIOCore

/// Where uploaded bytes live, each blob once under its SHA-256.
///
/// Two implementations, held to one conformance suite (`BlobStoreConformanceTests`): files in a
/// directory beside the SQLite database (`DirectoryBlobStore`, the default) and chunks in
/// PostgreSQL (`PostgresBlobStore`), which every node of a cluster reads. An upload is written
/// while it arrives, before its digest is known, so writing goes through a `BlobWriter` that
/// stages the bytes and is committed under the digest the caller computed as it streamed.
public protocol BlobStore: Sendable {
    /// Starts staging a new blob.
    func makeWriter() async throws -> any BlobWriter

    /// The size of the blob, or nil when there is none under `digest`.
    func size(of digest: BlobDigest) async throws -> Int64?

    /// Reads `range` of the blob (byte offsets, end exclusive) in chunks of at most
    /// `BlobStoreLimits.chunkBytes`, handing each to `body` before reading the next: a download
    /// never holds the whole file.
    ///
    /// - Throws: `BlobStoreError.notFound` when there is no blob under `digest`.
    func read(
        _ digest: BlobDigest, range: Range<Int64>, _ body: (ByteBuffer) async throws -> Void
    ) async throws

    /// Removes the blob; nothing happens when there is none.
    func delete(_ digest: BlobDigest) async throws

    /// Removes what writers staged before `olderThan` (ms since 1970) and never committed or
    /// discarded: the leftovers of a node that stopped in the middle of an upload.
    ///
    /// - Returns: how many staged blobs were removed.
    func removeAbandonedStaging(olderThan cutoffMillis: Int64) async throws -> Int
}

/// A blob being written: the bytes go to a staging place (a temporary file, staging rows) as
/// they arrive, and `commit` moves them under their digest, or drops them when that blob is
/// already stored (the same file uploaded again).
///
/// Exactly one of `commit` and `discard` ends a writer.
public protocol BlobWriter: Sendable {
    /// Appends bytes.
    func write(_ bytes: ByteBuffer) async throws

    /// Stores what was written under `digest`, which the caller computed over exactly those
    /// bytes; when the blob is already stored, the staged copy is dropped.
    func commit(as digest: BlobDigest) async throws

    /// Drops what was written (a refused or broken upload).
    func discard() async
}

/// Sizes the blob stores share.
public enum BlobStoreLimits {
    /// The most bytes one read hands on, and one stored chunk holds (PostgreSQL).
    public static let chunkBytes = 256 * 1024
}

/// A blob store's refusal.
public struct BlobStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Equatable {
        /// No blob under the digest.
        case notFound
        /// The storage failed (disk, database).
        case unavailable
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
