import Logging
import NIOCore

extension Hub {
    /// Fills the gap of a session in `.repairing` state from the store, then goes live.
    ///
    /// Everything after the last delivered `seq` is read from the store (up to the backlog
    /// limit), delivered in order, followed by the live messages that waited meanwhile.
    func repairGap(_ request: GapRepair) async {
        guard let after = membership[request.session]?.rooms[request.room]?.repairingAfter else { return }
        let conversation = Conversation.room(request.room)
        var missing: [RoomStream.Entry] = []
        do {
            var cursor = after
            while missing.count < configuration.limits.maxBacklog {
                let page = try await store.messages(
                    in: conversation, after: cursor, limit: configuration.limits.maxHistoryPage)
                guard let last = page.last else { break }
                for message in page {
                    missing.append(
                        RoomStream.Entry(seq: message.seq, frame: ServerFrameEncoder.encode(MessageFrame(message, in: conversation))))
                }
                cursor = last.seq
            }
        } catch {
            logger.warning(
                "gap repair could not read the store", metadata: ["room": "\(request.room)", "error": "\(error)"])
        }
        // The session may have left or disconnected while the store was read.
        guard let session = membership[request.session],
            let frames = session.rooms[request.room]?.repaired(with: missing)
        else { return }
        for frame in frames { session.sink.send(frame) }
    }
}
