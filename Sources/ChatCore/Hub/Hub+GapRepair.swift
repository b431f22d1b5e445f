import CoreMetrics
import Logging
import NIOCore

extension Hub {
    /// Waits before each try of a gap repair's store read: a PostgreSQL restart takes about
    /// 0.3 s, so a read that failed is tried again a little later rather than given up.
    static let gapRepairRetries: [Duration] = [.zero, .milliseconds(100), .milliseconds(300), .milliseconds(800)]

    /// Fills the gap of a session in `.repairing` state from the store, then goes live.
    ///
    /// Everything after the last delivered `seq` is read from the store (up to the backlog
    /// limit), delivered in order, followed by the live messages that waited meanwhile. A gap is
    /// never skipped: when the store cannot be read after the retries, or the read does not
    /// close the gap (more missing than the backlog limit), the session is closed with 1012 and
    /// the client resumes with `since`, which recovers exactly or says `recovered: false`.
    func repairGap(_ request: GapRepair) async {
        guard let after = membership[request.session]?.rooms[request.room]?.repairingAfter else { return }
        var missing: [RoomStream.Entry]?
        for delay in Self.gapRepairRetries {
            if delay > .zero { try? await Task.sleep(for: delay) }
            do {
                missing = try await missingEntries(of: request.room, after: after)
                break
            } catch {
                logger.warning(
                    "gap repair could not read the store", metadata: ["room": "\(request.room)", "error": "\(error)"])
            }
        }
        // The session may have left or disconnected while the store was read.
        guard let session = membership[request.session], session.rooms[request.room]?.repairingAfter == after else {
            return
        }
        guard let missing, let repair = session.rooms[request.room]?.repaired(with: missing), repair.complete else {
            metrics.gapRepairFailures.increment()
            session.sink.close(
                .serviceRestart, reason: "missed messages could not be read; reconnect and resume with since")
            return
        }
        for frame in repair.frames { session.sink.send(frame) }
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
                    RoomStream.Entry(seq: message.seq, frame: ServerFrameEncoder.encode(MessageFrame(message, in: conversation))))
            }
            cursor = last.seq
        }
        return missing
    }
}
