/// Hands sessions opened by HTTP requests to the service that runs their handlers.
///
/// A request cannot run the handler itself: the session outlives it. The stream is unbounded,
/// but every entry is a registered session and the registry is bounded (`maxSessions`).
final class SessionLauncher: Sendable {
    let sessions: AsyncStream<SockJSSession>
    private let continuation: AsyncStream<SockJSSession>.Continuation

    init() {
        (sessions, continuation) = AsyncStream.makeStream()
    }

    func launch(_ session: SockJSSession) {
        continuation.yield(session)
    }
}
