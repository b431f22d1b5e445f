import Synchronization

/// `MessageRetention` in memory: the same prefix pruning as the durable stores, on each
/// conversation's log (which also drops its oldest messages past `retainPerConversation`).
extension InMemoryMessageStore: MessageRetention {
    public func retentionScopes(after key: String?, limit: Int) async throws -> [RetentionScope] {
        let conversations = state.withLock { state in
            state.logs.compactMap { entry -> (String, Conversation)? in
                guard let conversation = entry.value.conversation, key.map({ entry.key > $0 }) ?? true else {
                    return nil
                }
                return (entry.key, conversation)
            }
        }
        .sorted { $0.0 < $1.0 }.prefix(max(limit, 0))
        return rooms.withLock { rooms in
            conversations.map { _, conversation in
                guard case .room(let name) = conversation else { return RetentionScope(conversation: conversation) }
                return RetentionScope(conversation: conversation, roomRetentionDays: try? rooms.retention(of: name))
            }
        }
    }

    public func pruneOldest(of conversation: Conversation, before cutoff: Int64, limit: Int) async throws -> Int {
        let (count, through) = state.withLock { state -> (Int, Int64) in
            guard limit > 0, let log = state.logs[conversation.key] else { return (0, 0) }
            let pruning = log.messages.prefix(limit).prefix { $0.timestamp < cutoff }
            guard let last = pruning.last else { return (0, 0) }
            // Their attachments are no longer referenced by them (locked after `state`).
            let carrying = pruning.filter { !$0.attachments.isEmpty }
            if !carrying.isEmpty {
                uploadTables.withLock { uploads in
                    for message in carrying {
                        uploads.dropReferences(from: MessageReference(conversation: conversation, seq: message.seq))
                    }
                }
            }
            return (state.logs[conversation.key]!.pruneOldest(before: cutoff, limit: limit), last.seq)
        }
        // The texts their edits replaced leave the moderation log (rooms are never locked with `state`).
        if count > 0, case .room(let room) = conversation {
            rooms.withLock { $0.forgetEditedTexts(in: room, through: through) }
        }
        return count
    }

    public func prunePreview(before cutoff: Int64, room: String?) async throws -> [PrunePreview] {
        state.withLock { state in
            state.logs.compactMap { key, log -> PrunePreview? in
                guard let conversation = log.conversation else { return nil }
                if let room {
                    guard case .room(let name) = conversation, Room.key(for: name) == Room.key(for: room) else {
                        return nil
                    }
                }
                let old = log.messages.prefix { $0.timestamp < cutoff }
                guard let last = old.last else { return nil }
                return PrunePreview(conversation: conversation, count: Int64(old.count), throughSeq: last.seq)
            }
            .sorted { $0.conversation.key < $1.conversation.key }
        }
    }

    public func roomRetention(of name: String) async throws -> Int? {
        try rooms.withLock { rooms throws(RoomStoreError) in try rooms.retention(of: name) }
    }

    public func setRoomRetention(_ days: Int?, of name: String, by actor: RoomActor, now: Int64) async throws {
        let facts = actorFacts(actor)
        try rooms.withLock { rooms throws(RoomStoreError) in
            try rooms.setRetention(days, of: name, by: actor, facts: facts, now: now)
        }
    }
}
