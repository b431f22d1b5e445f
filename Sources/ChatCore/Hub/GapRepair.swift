/// A request to fill a session's room stream from the store after a skipped `seq`.
struct GapRepair: Sendable {
    var session: SessionID
    var room: String
    /// Earlier tries whose store read failed; each next try waits longer (`Hub.gapRepairDelay`).
    var attempt = 0
}
