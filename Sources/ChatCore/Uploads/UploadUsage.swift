/// A user's stored uploads, for the quota and the rate limit.
public struct UploadUsage: Sendable, Equatable {
    /// Bytes of all the user's uploads (each upload counts, even when its bytes are shared).
    public var totalBytes: Int64
    /// Uploads since the time asked about.
    public var recentCount: Int

    public init(totalBytes: Int64, recentCount: Int) {
        self.totalBytes = totalBytes
        self.recentCount = recentCount
    }
}
