import NIOCore

/// One session's stream of one room's messages, gap-free and without duplicates.
///
/// A session joining a room reads its backlog from the store while live messages keep arriving
/// from the broker; a live stream can skip a `seq` (a broker outage, another node's publish
/// overtaken by its successor). This state machine decides, for every message, whether it is
/// written now, held back, dropped as already seen, or whether the store must fill a gap first.
/// The `Hub` runs the actions it returns; the machine never touches a socket or the store.
struct RoomStream {
    /// A live message held back until the messages before it are delivered.
    struct Entry {
        var seq: Int64
        /// The `message` frame's JSON, as every recipient gets it.
        var frame: ByteBuffer
    }

    /// Where the stream stands.
    enum State {
        /// `join` is reading the backlog; live messages wait here, in arrival order, until the
        /// `joined` frame has gone out.
        case joining(buffered: [Entry])
        /// Live: messages with `seq <= lastSeq` were delivered and are skipped.
        case live(lastSeq: Int64)
        /// A live message skipped `seq`s after `after`; the store is filling the gap, and live
        /// messages wait here meanwhile.
        case repairing(after: Int64, buffered: [Entry])
        /// Transient, only while a transition moves a buffer out of the enum without copying it.
        case modifying
    }

    /// What to do with one live message.
    enum Delivery: Equatable {
        /// Write it to the session now.
        case deliver
        /// Nothing now: it waits in the stream's buffer.
        case hold
        /// Nothing: the session already has it.
        case skip
        /// Nothing now: it waits, and the gap before it must be read from the store
        /// (`repaired(with:)` ends the repair).
        case repair
    }

    /// What the end of a join, or of a repair, delivers.
    struct Release {
        /// The frames to write, in `seq` order.
        var frames: [ByteBuffer]
        /// Whether a gap remains before the rest of the buffer: read it from the store.
        var needsRepair: Bool
    }

    private(set) var state: State

    /// A stream whose backlog is being read.
    static var joining: RoomStream { RoomStream(state: .joining(buffered: [])) }

    /// Whether `joined` has not been sent yet (presence frames are not sent before it: `joined`
    /// lists the members as of its sending).
    var isJoining: Bool {
        if case .joining = state { return true }
        return false
    }

    /// The last `seq` delivered, while live.
    var lastSeq: Int64? {
        if case .live(let lastSeq) = state { return lastSeq }
        return nil
    }

    /// The last `seq` before the gap, while repairing.
    /// Live messages held while joining or repairing.
    var heldCount: Int {
        switch state {
        case .joining(let buffered), .repairing(_, let buffered): buffered.count
        case .live, .modifying: 0
        }
    }

    var repairingAfter: Int64? {
        if case .repairing(let after, _) = state { return after }
        return nil
    }

    /// A live message from the broker.
    mutating func receive(seq: Int64, frame: ByteBuffer) -> Delivery {
        switch state {
        case .joining(var buffered):
            state = .modifying
            buffered.append(Entry(seq: seq, frame: frame))
            state = .joining(buffered: buffered)
            return .hold
        case .repairing(let after, var buffered):
            state = .modifying
            buffered.append(Entry(seq: seq, frame: frame))
            state = .repairing(after: after, buffered: buffered)
            return .hold
        case .live(let lastSeq) where seq == lastSeq + 1:
            state = .live(lastSeq: seq)
            return .deliver
        case .live(let lastSeq) where seq > lastSeq + 1:
            state = .repairing(after: lastSeq, buffered: [Entry(seq: seq, frame: frame)])
            return .repair
        case .live, .modifying:
            return .skip
        }
    }

    /// The `joined` frame went out with the backlog up to `lastDelivered`: releases the held
    /// messages that follow it without a gap, and goes live, or starts a repair at the first gap.
    ///
    /// - Returns: nil when the stream was not joining (a second call).
    mutating func joined(lastDelivered: Int64) -> Release? {
        guard case .joining(let buffered) = state else { return nil }
        return release(buffered, after: lastDelivered)
    }

    /// The broker connection was recovered: messages may have been lost while it was down, so a
    /// live stream re-reads from the store everything after its last `seq`.
    ///
    /// - Returns: whether a repair must run.
    mutating func brokerRecovered() -> Bool {
        guard case .live(let lastSeq) = state else { return false }
        state = .repairing(after: lastSeq, buffered: [])
        return true
    }

    /// The store returned `missing` (in `seq` order, possibly empty when it failed): delivers
    /// them, then the held live messages, and goes live.
    ///
    /// Whatever the store could not fill is given up, not waited for: the stream goes live after
    /// the highest `seq` it delivered, so one unreadable message cannot stall a room.
    ///
    /// - Returns: nil when the stream was not repairing (the session left meanwhile, or a second
    ///   repair of the same gap).
    /// What a repair delivers, and whether it left no hole (`complete`); an incomplete repair
    /// leaves the stream as it was, for the hub to close the session.
    struct Repair {
        var frames: [ByteBuffer]
        var complete: Bool
    }

    mutating func repaired(with missing: [Entry]) -> Repair? {
        guard case .repairing(let after, let buffered) = state else { return nil }
        var frames: [ByteBuffer] = []
        var lastSeq = after
        for entry in (missing + buffered).sorted(by: { $0.seq < $1.seq }) where entry.seq > lastSeq {
            guard entry.seq == lastSeq + 1 else { return Repair(frames: [], complete: false) }
            frames.append(entry.frame)
            lastSeq = entry.seq
        }
        state = .live(lastSeq: lastSeq)
        return Repair(frames: frames, complete: true)
    }

    private mutating func release(_ buffered: [Entry], after lastDelivered: Int64) -> Release {
        let pending = buffered.sorted { $0.seq < $1.seq }.filter { $0.seq > lastDelivered }
        var frames: [ByteBuffer] = []
        var lastSeq = lastDelivered
        for (index, entry) in pending.enumerated() where entry.seq != lastSeq {  // a duplicate publish
            guard entry.seq == lastSeq + 1 else {
                state = .repairing(after: lastSeq, buffered: Array(pending[index...]))
                return Release(frames: frames, needsRepair: true)
            }
            frames.append(entry.frame)
            lastSeq = entry.seq
        }
        state = .live(lastSeq: lastSeq)
        return Release(frames: frames, needsRepair: false)
    }
}
