import ChatCore
import Foundation
import NIOCore

/// A blob being written to a staging file of a `DirectoryBlobStore`.
actor DirectoryBlobWriter: BlobWriter {
    let store: DirectoryBlobStore
    let file: URL
    let handle: FileHandle
    private var finished = false

    init(store: DirectoryBlobStore, file: URL, handle: FileHandle) {
        self.store = store
        self.file = file
        self.handle = handle
    }

    func write(_ bytes: ByteBuffer) async throws {
        precondition(!finished, "a blob writer was written to after commit or discard")
        let handle = self.handle
        let data = Data(bytes.readableBytesView)
        try await store.blocking { try handle.write(contentsOf: data) }
    }

    func commit(as digest: BlobDigest) async throws {
        precondition(!finished, "a blob writer was committed twice")
        finished = true
        let (handle, file, target) = (self.handle, self.file, store.url(of: digest))
        try await store.blocking {
            try handle.synchronize()
            try handle.close()
            let manager = FileManager.default
            if manager.fileExists(atPath: target.path) {
                try manager.removeItem(at: file)
                return
            }
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            // rename(2): atomic, and replaces a copy a concurrent commit of the same bytes put there.
            guard rename(file.path, target.path) == 0 else {
                throw BlobStoreError(.unavailable, "cannot move \(file.path) to \(target.path): errno \(errno)")
            }
        }
    }

    func discard() async {
        guard !finished else { return }
        finished = true
        let (handle, file) = (self.handle, self.file)
        _ = try? await store.blocking {
            try? handle.close()
            try FileManager.default.removeItem(at: file)
        }
    }
}
