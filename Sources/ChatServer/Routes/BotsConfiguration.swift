/// How fast bots and hooks may post, and how large their requests may be.
///
/// Every bucket is bounded (`AccountRateLimiter`), and a request past its bucket is answered
/// `429 rate_limited` with `Retry-After`, so a looping script or a chatty CI job cannot flood a
/// room or the store.
public struct BotsConfiguration: Sendable {
    /// Posts per bot over `POST /api/rooms/:room/messages`, in a burst and per minute.
    public var postsPerBot: AccountRateLimiter.Rate
    /// Posts per incoming webhook, in a burst and per minute.
    public var postsPerHook: AccountRateLimiter.Rate
    /// Requests with an unknown or revoked hook secret per client address: a guesser is slowed
    /// (256-bit secrets cannot be guessed anyway) and the store is spared the lookups.
    public var refusedHooksPerAddress: AccountRateLimiter.Rate
    /// The largest request body of a bot post or a hook, in bytes (larger: `413 body_too_large`).
    /// The message text has its own limit, `ChatLimits.maxTextScalars` (`400 text_too_long`).
    public var maxBodyBytes: Int

    public init(
        postsPerBot: AccountRateLimiter.Rate = .init(burst: 30, perMinute: 60),
        postsPerHook: AccountRateLimiter.Rate = .init(burst: 20, perMinute: 30),
        refusedHooksPerAddress: AccountRateLimiter.Rate = .init(burst: 20, perMinute: 10),
        maxBodyBytes: Int = 64 * 1024
    ) {
        self.postsPerBot = postsPerBot
        self.postsPerHook = postsPerHook
        self.refusedHooksPerAddress = refusedHooksPerAddress
        self.maxBodyBytes = maxBodyBytes
    }
}
