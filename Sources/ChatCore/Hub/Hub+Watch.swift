import NIOCore

/// `watch` and `status`: a session follows the online state of users it may share no room with
/// (its DM peers). Every node hears every user's online changes (`cluster.online`,
/// announcements, dead nodes), so each tells its own watchers.
extension Hub {
    func handleWatch(_ frame: WatchFrame, from id: SessionID, user: String) throws(ProtocolError) {
        guard frame.users.count <= PresenceWatch.maxUsersPerSession else {
            throw ProtocolError(
                .invalidField, "a session may watch at most \(PresenceWatch.maxUsersPerSession) users", ref: "watch")
        }
        for name in frame.users where !ChatName.isValid(name, limits: configuration.limits) {
            throw ProtocolError(.invalidName, ChatName.rule(for: "user name", limits: configuration.limits), ref: "watch")
        }
        let told = watches.watch(frame.users, by: id) { self.isOnline($0) }
        send(StatusFrame(users: told), to: id)
    }

    /// Sends `status` to the watchers of every watched user whose online state changed.
    func tellWatchers() {
        guard !watches.isEmpty else { return }
        for change in watches.changes(online: { self.isOnline($0) }) {
            fanOut(ServerFrameEncoder.encode(StatusFrame(users: [change.user: change.online])), to: change.sessions)
        }
    }
}
