/// How accounts behave: who may chat, how long tokens live, how hard passwords are to crack,
/// and how fast logins may be tried.
public struct AccountsConfiguration: Sendable {
    /// Turns guests off: every session must `hello` with a token (`--require-auth`).
    public var requireAuth: Bool
    /// How long an access token lives after login or registration.
    public var tokenLifetime: Duration
    /// The bcrypt cost (work factor 2^cost): 10 costs about 73 ms per hash on these machines.
    public var bcryptCost: UInt8
    /// Login and registration attempts allowed per client address in a burst, and the refill.
    public var perAddress: AccountRateLimiter.Rate
    /// Login attempts allowed per account name in a burst, and the refill.
    public var perName: AccountRateLimiter.Rate

    public init(
        requireAuth: Bool = false, tokenLifetime: Duration = .seconds(30 * 86_400), bcryptCost: UInt8 = 10,
        perAddress: AccountRateLimiter.Rate = .init(burst: 20, perMinute: 10),
        perName: AccountRateLimiter.Rate = .init(burst: 5, perMinute: 5)
    ) {
        self.requireAuth = requireAuth
        self.tokenLifetime = tokenLifetime
        self.bcryptCost = bcryptCost
        self.perAddress = perAddress
        self.perName = perName
    }
}
