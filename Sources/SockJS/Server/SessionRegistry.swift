import HTTPTypes
import NIOCore
import Synchronization

/// The HTTP-transport sessions of one SockJS service, by session id.
///
/// WebSocket sessions are not registered: their lifetime is their connection's, and the spec
/// lets two WebSockets share a session id.
final class SessionRegistry: Sendable {
    private let sessions = Mutex<[String: SockJSSession]>([:])
    private let maxSessions: Int

    init(maxSessions: Int) {
        self.maxSessions = maxSessions
    }

    enum Lookup {
        case existing(SockJSSession)
        case created(SockJSSession)
        case full
    }

    /// The session `id`, created by `make` when unknown (receiving transports open sessions).
    func findOrCreate(_ id: String, make: () -> SockJSSession) -> Lookup {
        sessions.withLock { sessions in
            if let session = sessions[id] { return .existing(session) }
            guard sessions.count < maxSessions else { return .full }
            let session = make()
            sessions[id] = session
            return .created(session)
        }
    }

    /// The session `id` if it exists (sending transports never open sessions).
    func find(_ id: String) -> SockJSSession? {
        sessions.withLock { $0[id] }
    }

    /// Forgets sessions that had no receiver for `delay`; returns their ids.
    @discardableResult
    func sweep(now: NIODeadline, delay: TimeAmount) -> [String] {
        let candidates = sessions.withLock { Array($0) }
        var removed: [String] = []
        for (id, session) in candidates where session.expireIfIdle(now: now, delay: delay) {
            forget(id, session)
            removed.append(id)
        }
        return removed
    }

    /// Forgets `session` if it is still the one registered under `id`.
    func forget(_ id: String, _ session: SockJSSession) {
        sessions.withLock { sessions in
            if sessions[id] === session { sessions[id] = nil }
        }
    }

    /// Closes every session (shutdown).
    func closeAll(code: Int, reason: String) {
        for session in sessions.withLock({ Array($0.values) }) {
            session.close(code: code, reason: reason)
        }
    }

    var count: Int { sessions.withLock { $0.count } }
}
