import ChatCore
import ChatStore
import Foundation
import NIOCore
import TestSupport
import Testing

/// What every `BlobStore` promises, run against the directory store and PostgreSQL's chunks.
@Suite("BlobStore conformance", .timeLimit(.minutes(2)))
struct BlobStoreConformanceTests {
    enum Kind: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case directory, postgres
        var testDescription: String { rawValue }

        static var available: [Kind] {
            get async { await StoreKind.available.contains(.postgres) ? [.directory, .postgres] : [.directory] }
        }
    }

    /// Runs `body` with a fresh, empty blob store of `kind`.
    static func with(_ kind: Kind, _ body: (any BlobStore) async throws -> Void) async throws {
        switch kind {
        case .directory:
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("rabbitchat-blobs-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            try await body(try DirectoryBlobStore(directory: directory))
        case .postgres:
            try await StoreFixture.with(.postgres) { fixture in
                try await fixture.openRoomStore { store in
                    try await body(PostgresBlobStore(store: try #require(store as? PostgresMessageStore)))
                }
            }
        }
    }

    /// Bytes 0, 1, 2, … 255, 0, 1, … of `count`: every offset's byte is known.
    static func pattern(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 / 256) } }

    static func digest(_ seed: UInt8) -> BlobDigest { BlobDigest(bytes: [UInt8](repeating: seed, count: 32)) }

    /// Writes `bytes` in pieces of `piece` and commits them as `digest`.
    static func store(
        _ bytes: [UInt8], as digest: BlobDigest, in blobs: any BlobStore, piece: Int = 100_000
    ) async throws {
        let writer = try await blobs.makeWriter()
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + piece, bytes.count)
            try await writer.write(ByteBuffer(bytes: bytes[offset..<end]))
            offset = end
        }
        try await writer.commit(as: digest)
    }

    static func read(_ digest: BlobDigest, _ range: Range<Int64>, from blobs: any BlobStore) async throws -> [UInt8] {
        var collected: [UInt8] = []
        try await blobs.read(digest, range: range) { chunk in
            #expect(chunk.readableBytes <= BlobStoreLimits.chunkBytes, "a read hands on at most a chunk at a time")
            collected += chunk.readableBytesView
        }
        return collected
    }

    @Test(
        "a blob written in pieces reads back whole and in any range, across chunk boundaries",
        arguments: await Kind.available)
    func roundTrip(kind: Kind) async throws {
        try await Self.with(kind) { blobs in
            let bytes = Self.pattern(3 * BlobStoreLimits.chunkBytes + 12_345)
            let digest = Self.digest(1)
            #expect(try await blobs.size(of: digest) == nil)
            try await Self.store(bytes, as: digest, in: blobs, piece: 70_001)
            #expect(try await blobs.size(of: digest) == Int64(bytes.count))
            #expect(try await Self.read(digest, 0..<Int64(bytes.count), from: blobs) == bytes)
            let chunk = Int64(BlobStoreLimits.chunkBytes)
            for range in [
                0..<1, chunk - 3..<chunk + 5, 2 * chunk..<3 * chunk, Int64(bytes.count) - 10..<Int64(bytes.count),
                17..<17,
            ] {
                #expect(
                    try await Self.read(digest, range, from: blobs)
                        == Array(bytes[Int(range.lowerBound)..<Int(range.upperBound)]),
                    "range \(range)")
            }
            let tiny: [UInt8] = [42]
            try await Self.store(tiny, as: Self.digest(2), in: blobs)
            #expect(try await Self.read(Self.digest(2), 0..<1, from: blobs) == tiny)
        }
    }

    @Test(
        "the same digest committed twice is stored once and keeps its bytes; a discarded writer leaves nothing",
        arguments: await Kind.available)
    func dedupAndDiscard(kind: Kind) async throws {
        try await Self.with(kind) { blobs in
            let bytes = Self.pattern(300_000)
            let digest = Self.digest(3)
            try await Self.store(bytes, as: digest, in: blobs)
            try await Self.store(bytes, as: digest, in: blobs)
            #expect(try await blobs.size(of: digest) == Int64(bytes.count))
            #expect(try await Self.read(digest, 0..<Int64(bytes.count), from: blobs) == bytes)

            let discarded = try await blobs.makeWriter()
            try await discarded.write(ByteBuffer(bytes: Self.pattern(1_000)))
            await discarded.discard()
            #expect(
                try await blobs.removeAbandonedStaging(olderThan: Int64.max) == 0, "discard removed its staged bytes")

            let abandoned = try await blobs.makeWriter()
            try await abandoned.write(ByteBuffer(bytes: Self.pattern(BlobStoreLimits.chunkBytes + 1)))
            #expect(
                try await blobs.removeAbandonedStaging(olderThan: ChatClock.wallMillis() - 60_000) == 0, "young: kept")
            #expect(
                try await blobs.removeAbandonedStaging(olderThan: Int64.max) == 1,
                "an abandoned writer's bytes are removed")
            #expect(try await blobs.size(of: digest) == Int64(bytes.count), "committed blobs are never staging")
        }
    }

    @Test("delete removes a blob (twice is fine); reading a missing blob is notFound", arguments: await Kind.available)
    func deleteAndMissing(kind: Kind) async throws {
        try await Self.with(kind) { blobs in
            let digest = Self.digest(4)
            try await Self.store(Self.pattern(10), as: digest, in: blobs)
            try await blobs.delete(digest)
            try await blobs.delete(digest)
            #expect(try await blobs.size(of: digest) == nil)
            await #expect(throws: BlobStoreError.self) { _ = try await Self.read(digest, 0..<1, from: blobs) }
            // And it can be stored again.
            try await Self.store(Self.pattern(10), as: digest, in: blobs)
            #expect(try await Self.read(digest, 0..<10, from: blobs) == Self.pattern(10))
        }
    }
}
