/// The limits of `POST /api/uploads` and the collection of uploads no message carries.
public struct UploadsConfiguration: Sendable {
    /// The largest upload, in bytes (`--max-upload-bytes`).
    public var maxUploadBytes: Int64 = 10 * 1024 * 1024
    /// The most bytes one user's uploads may hold together (`--upload-quota-bytes`); collected
    /// uploads no longer count.
    public var quotaBytes: Int64 = 200 * 1024 * 1024
    /// Uploads one user may make per minute (`--uploads-per-minute`), counted in the store, so
    /// the limit holds across nodes.
    public var uploadsPerMinute = 20
    /// Whether guests (no token) may upload (`--allow-guest-uploads`); off by default, since a
    /// guest's quota and rate follow a nick anyone may take.
    public var allowGuests = false
    /// How long an upload no message carries is kept (`--upload-grace`): time enough to write
    /// the message it was uploaded for.
    public var collectionGrace: Duration = .seconds(24 * 3_600)
    /// How often the collector looks for such uploads (`--upload-collect-interval`).
    public var collectionInterval: Duration = .seconds(600)
    /// Uploads deleted per collection batch; batches repeat until none is left, so one round
    /// never holds a long transaction.
    public var collectionBatch = 200

    public init() {}
}
