/// What the `Hub` knows about one connected client.
///
/// A class, owned by the hub's `LocalMembership` and never shared outside the hub actor: fan-out
/// reads and updates a session's room stream for every delivery, and as a struct in the
/// `sessions` dictionary each `sessions[id]?.rooms[room]` read copied the whole state (its
/// dictionaries retained and released) — 15 % of the CPU of a broadcast in a profile.
final class SessionState {
    let id: SessionID
    /// Where the session's frames go (the transport's side).
    let sink: any SessionSink
    /// Set by `hello`.
    var user: String?
    /// Whether `user` signed in with an account (a guest's nick is not one).
    var registered = false
    /// Whether the account is a server admin, as of `hello` (the UI offers an admin's controls;
    /// the store decides every permission anyway).
    var admin = false
    /// A bot's scope, as its token carried it at `hello`; nil for users and guests. Every frame
    /// of the session is checked against it (`Hub.refuseOutOfBotScope`).
    var botScope: BotScope?
    /// The session's stream of each room it is in.
    var rooms: [String: RoomStream] = [:]
    /// Last `seq` delivered per direct conversation key, to skip duplicates of retried sends.
    var directLastSeq: [String: Int64] = [:]
    /// Monotonic time of the last accepted typing start per conversation key (throttle).
    var lastTypingStart: [String: Int64] = [:]
    /// What the connection may still send (`InboundPolicy`).
    var allowance: ConnectionAllowance

    init(id: SessionID, sink: any SessionSink, allowance: ConnectionAllowance) {
        self.id = id
        self.sink = sink
        self.allowance = allowance
    }
}
