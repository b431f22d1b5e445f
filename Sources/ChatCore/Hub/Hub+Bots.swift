extension Hub {
    /// The session id REST posts are logged under: sessions are numbered from 1, so no
    /// connection ever has it.
    static let botPostSession = SessionID(rawValue: 0)

    /// Refuses a frame a bot's session may not send (`BotScope.refusal(of:)`) with `forbidden`;
    /// users' and guests' sessions pass untouched.
    func refuseOutOfBotScope(_ frame: ClientFrame, from id: SessionID) throws(ProtocolError) {
        guard let scope = membership[id]?.botScope, let reason = scope.refusal(of: frame) else { return }
        let cid: String? =
            switch frame {
            case .send(let send): send.cid
            case .change(let change): change.cid
            default: nil
            }
        throw ProtocolError(.forbidden, reason, cid: cid, ref: frame.type)
    }

    /// Posts `text` to `room` as the bot `bot`: what `POST /api/rooms/:room/messages` and the
    /// incoming webhooks do.
    ///
    /// It is a `send` without a session: the same validation and limits, the same room rules
    /// (the store's `authorizeSend`: bans, mutes, private rooms' membership), then the same
    /// `storeAndPublish` in the conversation's lane, so the message is stored, confirmed by the
    /// broker and delivered live to the room's members on every node before this returns. The
    /// store keeps `cid` per sender, so a retry with the same `cid` returns the stored message
    /// (`duplicate`) and stores nothing twice. Unlike a session's `send`, the room must exist: a
    /// bot posts to rooms people made, never into a misspelt new one.
    ///
    /// - Parameters:
    ///   - text: the message.
    ///   - room: the room, in any case.
    ///   - bot: the bot's name (the sender).
    ///   - scope: the bot's scope; `room` must be one it may post to.
    ///   - cid: the client id that makes the post idempotent (1 to 64 bytes, no NUL).
    ///   - replyTo: the `seq` of the message this one answers, if any.
    /// - Returns: the stored message, the room's stored spelling, and whether it was already stored.
    /// - Throws: `ProtocolError` with the code a session's `send` would get (`invalid_room`,
    ///   `invalid_field`, `empty_text`, `text_too_long`, `banned`, `muted`, `not_member`,
    ///   `cid_conflict`, `unavailable`), `forbidden` outside the scope, `no_such_room`.
    public func postAsBot(
        _ text: String, to room: String, bot: String, scope: BotScope, cid: String, replyTo: Int64? = nil
    ) async throws -> BotPost {
        let ref = "send"
        try validateRoom(room, ref: ref)
        guard !cid.isEmpty, cid.utf8.count <= 64, !cid.utf8.contains(0) else {
            throw ProtocolError(.invalidField, "field `cid` must be 1 to 64 bytes, without NUL", cid: cid, ref: ref)
        }
        try validateText(text, cid: cid, ref: ref)
        if let replyTo, replyTo < 1 {
            throw ProtocolError(.invalidField, "field `replyTo` must be 1 or more", cid: cid, ref: ref)
        }
        guard scope.mayPost(to: room) else {
            throw ProtocolError(
                .forbidden, "this bot may not post to `\(room)`: the room is not in its scope", cid: cid, ref: ref)
        }
        let deadline = Deadline(in: configuration.limits.sendTimeout)
        var name = room
        if let rooms = roomStore {
            let now = configuration.wallClock()
            let stored: Room?
            do {
                stored = try await deadline.run("room read") { try await rooms.room(named: room) }
                if let stored {
                    try await deadline.run("room send check") {
                        try await rooms.authorizeSend(user: bot, room: stored.name, now: now)
                    }
                }
            } catch let refusal as RoomStoreError {
                throw ProtocolError(refusal, cid: cid, ref: ref)
            } catch {
                throw ProtocolError(.unavailable, Self.storeUnavailable(error), cid: cid, ref: ref)
            }
            guard let stored else {
                throw ProtocolError(
                    .noSuchRoom, "no room is called `\(room)`; bots post to existing rooms", cid: cid, ref: ref)
            }
            name = stored.name
        }
        let conversation = Conversation.room(name)
        var draft = MessageDraft(
            conversation: conversation, from: bot, text: text, clientID: cid, timestamp: configuration.wallClock(),
            replyTo: replyTo)
        draft.mentions = await resolveMentions(in: text, conversation: conversation, deadline: deadline)
        let result = try await storeAndPublish(draft, session: Self.botPostSession, ref: ref, deadline: deadline)
        return BotPost(room: name, message: result.message, duplicate: result.duplicate)
    }
}
