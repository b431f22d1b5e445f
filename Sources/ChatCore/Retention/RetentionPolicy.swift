/// How long history is kept: the server's `--retention-days` and a room's override.
///
/// Zero days means "keep forever", on the server and on a room: an override of 0 keeps a room's
/// history even when the server prunes; an override of N prunes a room after N days even when
/// the server keeps everything.
public struct RetentionPolicy: Sendable, Equatable {
    /// The server's setting: 0 keeps everything.
    public var defaultDays: Int

    /// Longest retention that can be set, in days (100 years): a bound that keeps the cutoff's
    /// arithmetic far from overflow.
    public static let maxDays = 36_500
    static let millisPerDay: Int64 = 86_400_000

    public init(defaultDays: Int = 0) {
        self.defaultDays = defaultDays
    }

    /// The days that apply to `scope`: the room's override, else the server's.
    public func days(for scope: RetentionScope) -> Int {
        scope.roomRetentionDays ?? defaultDays
    }

    /// Messages of `scope` stored before this (ms since 1970) are pruned at `now`; nil when
    /// the conversation keeps everything.
    public func cutoff(for scope: RetentionScope, now: Int64) -> Int64? {
        Self.cutoff(days: days(for: scope), now: now)
    }

    /// `now` minus `days`; nil for 0 (keep forever).
    public static func cutoff(days: Int, now: Int64) -> Int64? {
        guard days > 0 else { return nil }
        return now - Int64(min(days, maxDays)) * millisPerDay
    }

}
