import ChatCore
import Logging
import ServiceLifecycle

/// Removes uploads no message carries once their grace period is over, and the blobs no
/// remaining upload names: a `Service` of the node's group, one round every
/// `collectionInterval`, in batches of `collectionBatch`.
///
/// Every node runs one; on a shared PostgreSQL they may overlap harmlessly (a batch skips rows
/// another node's batch holds, and deleting a blob twice is a no-op). It also removes staged
/// blobs left by a node that stopped in the middle of an upload.
struct UploadCollector: Service {
    let uploads: any UploadStore
    let blobs: any BlobStore
    let configuration: UploadsConfiguration
    let logger: Logger

    func run() async throws {
        let interval = configuration.collectionInterval
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await collect(now: ChatClock.wallMillis())
            } catch {
                logger.warning("upload collection failed; retrying next round", metadata: ["error": "\(error)"])
            }
            // Ends at once on graceful shutdown (or cancellation); the loop then stops.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// One round: batches until one frees no blob (or shutdown begins). A batch whose uploads
    /// all share blobs with younger uploads ends the round early; the next round goes on.
    ///
    /// - Returns: how many blobs were removed.
    @discardableResult
    func collect(now: Int64) async throws -> Int {
        let cutoff = now - configuration.collectionGrace.wholeMilliseconds
        var removed = 0
        while !Task.isShuttingDownGracefully {
            let orphaned = try await uploads.collectUnreferencedUploads(
                createdBefore: cutoff, limit: configuration.collectionBatch)
            for digest in orphaned {
                // Checked once more: an upload of the same bytes may have come in since.
                if try await uploads.isBlobReferenced(digest) { continue }
                try await blobs.delete(digest)
                removed += 1
            }
            if orphaned.isEmpty { break }
        }
        let abandoned = try await blobs.removeAbandonedStaging(
            olderThan: now - configuration.collectionGrace.wholeMilliseconds)
        if removed > 0 || abandoned > 0 {
            logger.info("collected unreferenced uploads", metadata: ["blobs": "\(removed)", "staged": "\(abandoned)"])
        }
        return removed
    }
}
