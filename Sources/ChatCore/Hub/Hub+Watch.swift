import NIOCore

/// `watch` and `status`: a session follows the online state of users it may share no room with
/// (its DM peers). Every node hears every user's online changes (`cluster.online`,
/// announcements, dead nodes), so each tells its own watchers.
extension Hub {
    func handleWatch(_ frame: WatchFrame, from id: SessionID, user: String, deadline: Deadline) async throws {
        guard frame.users.count <= PresenceWatch.maxUsersPerSession else {
            throw ProtocolError(
                .invalidField, "a session may watch at most \(PresenceWatch.maxUsersPerSession) users", ref: "watch")
        }
        for name in frame.users where !ChatName.isValid(name, limits: configuration.limits) {
            throw ProtocolError(
                .invalidName, ChatName.rule(for: "user name", limits: configuration.limits), ref: "watch")
        }
        let guests = try await guests(among: frame.users, deadline: deadline)
        guard membership[id] != nil else { return }
        let told = watches.watch(frame.users, by: id) { self.isOnline($0) }
        send(StatusFrame(users: told, guests: guests.sorted()), to: id)
    }

    /// The names among `users` that no account has: DMs reach those only while they are online.
    ///
    /// - Throws: `unavailable` when the account store does not answer within `deadline`.
    private func guests(among users: [String], deadline: Deadline) async throws -> Set<String> {
        guard let authenticator else { return Set(users) }
        var guests: Set<String> = []
        do {
            for name in Set(users) {
                let registered = try await deadline.run("account lookup") {
                    try await authenticator.registeredName(matching: name)
                }
                if registered != name { guests.insert(name) }
            }
        } catch {
            throw ProtocolError(.unavailable, "the account store is unavailable; watch again", ref: "watch")
        }
        return guests
    }

    /// Sends `status` to the watchers of every watched user whose online state changed.
    func tellWatchers() {
        guard !watches.isEmpty else { return }
        for change in watches.changes(online: { self.isOnline($0) }) {
            fanOut(ServerFrameEncoder.encode(StatusFrame(users: [change.user: change.online])), to: change.sessions)
        }
    }
}
