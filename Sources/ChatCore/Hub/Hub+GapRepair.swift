import Logging
import NIOCore

extension Hub {
    /// Fills the gap of a session in `.repairing` state from the store, then goes live.
    ///
    /// Everything after the last delivered `seq` is read from the store (up to the backlog
    /// limit), delivered in order, followed by the live messages that waited meanwhile.
    func repairGap(_ request: GapRepair) async {
        guard case .repairing(let after, _)? = sessions[request.session]?.rooms[request.room] else { return }
        let conversation = Conversation.room(request.room)
        var missing: [StoredMessage] = []
        do {
            var cursor = after
            while missing.count < configuration.limits.maxBacklog {
                let page = try await store.messages(
                    in: conversation, after: cursor, limit: configuration.limits.maxHistoryPage)
                guard let last = page.last else { break }
                missing.append(contentsOf: page)
                cursor = last.seq
            }
        } catch {
            logger.warning(
                "gap repair could not read the store", metadata: ["room": "\(request.room)", "error": "\(error)"])
        }
        // The session may have left or disconnected while the store was read.
        guard case .repairing(_, let buffered)? = sessions[request.session]?.rooms[request.room] else { return }
        var lastSeq = after
        for message in missing where message.seq > lastSeq {
            sessions[request.session]?.sink.send(ServerFrameEncoder.encode(MessageFrame(message, in: conversation)))
            lastSeq = message.seq
        }
        for entry in buffered.sorted(by: { $0.seq < $1.seq }) where entry.seq > lastSeq {
            sessions[request.session]?.sink.send(entry.frame)
            lastSeq = entry.seq
        }
        sessions[request.session]?.rooms[request.room] = .live(lastSeq: lastSeq)
    }
}
