import ChatCore
import CoreMetrics
import NIOCore
import SockJS

/// The `SessionSink` of a chat session on a SockJS HTTP transport (xhr-streaming, xhr-polling,
/// eventsource, htmlfile, jsonp).
///
/// The frames wait in the session's own bounded queue (`SockJSSession.offer`), which lives with
/// the session between the client's requests: a polling client collects in its next request what
/// arrived in between, a streaming one gets it on its open response. There is no writer task and
/// no second queue. Like a WebSocket's sink it names an event loop, so the hub's fan-out reaches
/// it in that loop's batch: the frames of one event are queued, then the waiting request is woken
/// once (`flush`). When the queue is full, ephemeral frames (typing, presence) are dropped first,
/// then the session closes with 1013, counted as a slow consumer at that moment.
final class SockJSSessionSink: SessionSink {
    private let session: SockJSSession
    private let loop: any EventLoop
    private let policy: SockJSSession.OfferPolicy
    private let metrics: ChatMetrics

    /// - Parameters:
    ///   - session: the SockJS session the frames go to.
    ///   - eventLoop: the loop the hub's fan-out delivers on (any loop of the server's group: the
    ///     session is thread-safe, the loop only batches the hub's hops).
    ///   - bounds: the outbox bounds every transport shares (`--outbox-max-frames`, `--outbox-max-bytes`).
    ///   - metrics: where frames out and slow consumers are counted.
    init(session: SockJSSession, eventLoop: any EventLoop, bounds: SessionOutbox.Configuration, metrics: ChatMetrics) {
        self.session = session
        self.loop = eventLoop
        self.policy = SockJSSession.OfferPolicy(
            maxMessages: bounds.maxFrames, maxBytes: bounds.maxBytes,
            overflowCode: Int(CloseCode.tryAgainLater.rawValue),
            overflowReason: "outbound queue overflow: the client reads too slowly")
        self.metrics = metrics
    }

    var eventLoop: (any EventLoop)? { loop }

    /// The session stores the frame's JSON; each transport wraps it (`a[...]`, its envelope) when
    /// a request collects it.
    var wireEncoding: WireEncoding { .json }

    func deliver(_ wire: ByteBuffer, ephemeral: Bool) {
        switch session.offer(wire, ephemeral: ephemeral, policy: policy) {
        case .queued: metrics.framesOut.increment()
        case .dropped: break
        case .overflow: metrics.slowConsumersDropped.increment()
        }
    }

    func flush() {
        session.wakeReceiver()
    }

    func close(_ code: CloseCode, reason: String) {
        session.close(code: Int(code.rawValue), reason: reason)
    }

    var isClosing: Bool { session.isClosed }
}
