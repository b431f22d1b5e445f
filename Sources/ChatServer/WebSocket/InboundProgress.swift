import Synchronization

/// How many inbound messages of one `/ws` connection the hub has finished handling.
///
/// The task that hands messages to the hub counts here; the connection's handler reads it on its
/// event loop to tell a hub that is slow (the count moves) from one that is stuck on a hung
/// dependency (it does not), and only in the second case reads the socket past its inbound limit.
final class InboundProgress: Sendable {
    private let count = Atomic<Int>(0)

    /// The messages handled so far.
    var handled: Int { count.load(ordering: .relaxed) }

    /// Called once per message, after the hub returned from it.
    func messageHandled() {
        count.add(1, ordering: .relaxed)
    }
}
