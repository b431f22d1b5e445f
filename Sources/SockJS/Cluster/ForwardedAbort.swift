import Synchronization

/// Fires once when the client of a forwarded request went away, like Hummingbird's inbound-close
/// handler does for a local request.
///
/// The receiving node notices the closed socket and tells the owner; the owner's receiver then
/// aborts the session exactly as for a local client (`c[1002,"Connection interrupted"]`).
public final class ForwardedAbort: Sendable {
    private enum State {
        case waiting([Int: @Sendable () -> Void], next: Int)
        case fired
    }

    private let state = Mutex<State>(.waiting([:], next: 0))

    public init() {}

    /// Marks the client as gone and runs the registered handlers (once).
    public func fire() {
        let handlers: [@Sendable () -> Void] = state.withLock { state in
            guard case .waiting(let handlers, _) = state else { return [] }
            state = .fired
            return Array(handlers.values)
        }
        for handler in handlers { handler() }
    }

    /// Registers `handler`; it runs at once when the abort already happened. Returns a token for
    /// `remove(_:)`, nil when it already ran.
    func register(_ handler: @escaping @Sendable () -> Void) -> Int? {
        let token: Int? = state.withLock { state in
            guard case .waiting(var handlers, let next) = state else { return nil }
            handlers[next] = handler
            state = .waiting(handlers, next: next + 1)
            return next
        }
        if token == nil { handler() }
        return token
    }

    func remove(_ token: Int?) {
        guard let token else { return }
        state.withLock { state in
            guard case .waiting(var handlers, let next) = state else { return }
            handlers[token] = nil
            state = .waiting(handlers, next: next)
        }
    }
}
