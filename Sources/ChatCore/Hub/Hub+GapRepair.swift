import CoreMetrics
import Logging
import NIOCore

extension Hub {
    /// Tries of a gap repair whose store read fails before the session is closed (about a
    /// minute: a PostgreSQL restart takes 0.3 s, a failover some seconds).
    static let gapRepairAttempts = 40

    /// How long a repair whose read failed waits before its next try: 0.1 s, 0.3 s, 0.8 s, then
    /// 1.5 s each.
    static func gapRepairDelay(after attempt: Int) -> Duration {
        switch attempt {
        case 0: .milliseconds(100)
        case 1: .milliseconds(300)
        case 2: .milliseconds(800)
        default: .milliseconds(1500)
        }
    }

    /// Fills the gap of a session in `.repairing` state from the store, then goes live.
    ///
    /// Everything after the last delivered `seq` is read from the store (up to the backlog
    /// limit), delivered in order, followed by the live messages that waited meanwhile. A gap is
    /// never skipped:
    /// - a store read that fails is tried again later (`gapRepairDelay`; repairs run one at a
    ///   time, so the wait is a new request, not a sleep here), while the session keeps holding
    ///   its live messages;
    /// - the session is closed with 1012, so the client resumes with `since` (exact, or
    ///   `recovered: false`), when the read cannot close the gap (more missing than the backlog
    ///   limit), when it held more live messages than the backlog limit meanwhile, or after
    ///   `gapRepairAttempts` failed reads.
    func repairGap(_ request: GapRepair) async {
        guard let after = membership[request.session]?.rooms[request.room]?.repairingAfter else { return }
        let missing: [RoomStream.Entry]?
        do {
            missing = try await missingEntries(of: request.room, after: after)
        } catch {
            logger.warning(
                "gap repair could not read the store",
                metadata: ["room": "\(request.room)", "attempt": "\(request.attempt)", "error": "\(error)"])
            missing = nil
        }
        // The session may have left or disconnected while the store was read.
        guard let session = membership[request.session], let stream = session.rooms[request.room],
            stream.repairingAfter == after
        else { return }
        let limits = configuration.limits
        guard let missing else {
            if request.attempt + 1 < Self.gapRepairAttempts, stream.heldCount <= limits.maxBacklog {
                var next = request
                next.attempt += 1
                let delay = Self.gapRepairDelay(after: request.attempt)
                let requests = gapRepairs.continuation
                Task {
                    try? await Task.sleep(for: delay)
                    requests.yield(next)
                }
            } else {
                closeUnrepairable(session)
            }
            return
        }
        guard let repair = session.rooms[request.room]?.repaired(with: missing), repair.complete else {
            closeUnrepairable(session)
            return
        }
        for frame in repair.frames { session.sink.send(frame) }
    }

    private func closeUnrepairable(_ session: SessionState) {
        metrics.gapRepairFailures.increment()
        session.sink.close(
            .serviceRestart, reason: "missed messages could not be read; reconnect and resume with since")
    }

    /// The stored entries of `room` after `after`, up to the backlog limit, each store read
    /// bounded by the send timeout (repairs run one at a time: one stuck read must not hold
    /// the others).
    private func missingEntries(of room: String, after: Int64) async throws -> [RoomStream.Entry] {
        let conversation = Conversation.room(room)
        let store = self.store
        let pageSize = configuration.limits.maxHistoryPage
        let deadline = Deadline(in: configuration.limits.sendTimeout)
        var missing: [RoomStream.Entry] = []
        var cursor = after
        while missing.count < configuration.limits.maxBacklog {
            let page = try await deadline.run("store read") { [cursor] in
                try await store.messages(in: conversation, after: cursor, limit: pageSize)
            }
            guard let last = page.last else { break }
            for message in page {
                missing.append(
                    RoomStream.Entry(
                        seq: message.seq, frame: ServerFrameEncoder.encode(MessageFrame(message, in: conversation))))
            }
            cursor = last.seq
        }
        return missing
    }
}
