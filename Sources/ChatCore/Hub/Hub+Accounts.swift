import Logging

extension Hub {
    /// Who a `hello` identifies: a registered user by token, or a guest by nick.
    ///
    /// Guests are refused registered names (`name_reserved`) and, when the authenticator allows
    /// no guests (`--require-auth`), refused altogether (`auth_required`).
    ///
    /// A bot's token signs in as the bot, with the scope the hub then enforces on every frame.
    func identify(
        _ hello: HelloFrame
    ) async throws(ProtocolError) -> (user: String, registered: Bool, botScope: BotScope?) {
        if let token = hello.token {
            guard let authenticator else {
                throw ProtocolError(
                    .invalidField, "token sign-in is not enabled on this server; send a guest `nick`", ref: "hello")
            }
            do {
                let identity = try await authenticator.identity(forToken: token)
                return (identity.user, true, identity.botScope)
            } catch let error as AuthenticationError {
                throw ProtocolError(ErrorCode(rawValue: error.code.rawValue), error.message, ref: "hello")
            } catch {
                throw ProtocolError(.unavailable, "the account store is unavailable; try again", ref: "hello")
            }
        }
        if let authenticator, !authenticator.allowsGuests {
            throw ProtocolError(
                .authRequired, "this server requires an account: log in and send `hello` with a `token`", ref: "hello")
        }
        guard let nick = hello.nick else {
            throw ProtocolError(.invalidField, "missing field `nick` (or `token`)", ref: "hello")
        }
        guard ChatName.isValid(nick, limits: configuration.limits) else {
            throw ProtocolError(
                .invalidName,
                ChatName.rule(for: "nick", limits: configuration.limits),
                ref: "hello"
            )
        }
        if let authenticator {
            let registered: String?
            do {
                registered = try await authenticator.registeredName(matching: nick)
            } catch {
                throw ProtocolError(.unavailable, "the account store is unavailable; try again", ref: "hello")
            }
            if registered != nil {
                throw ProtocolError(
                    .nameReserved, "`\(nick)` belongs to a registered user; log in, or pick another nick", ref: "hello")
            }
        }
        return (nick, false, nil)
    }

    /// The unread direct conversations of a registered user, for `welcome`; nil for guests, or
    /// when the store cannot say right now (the welcome is not held back for it).
    func unreadSummary(for user: String, registered: Bool) async -> [UnreadConversation]? {
        guard registered else { return nil }
        do {
            return try await store.unreadDirectConversations(of: user)
        } catch {
            logger.warning("unread counts unavailable", metadata: ["user": "\(user)", "error": "\(error)"])
            return nil
        }
    }

    /// A registered user's stored rooms and DM peers, for `welcome`; nil for guests, or when the
    /// store cannot say right now (the welcome is not held back for it, as with `unread`).
    func storedConversations(
        for user: String, registered: Bool
    ) async
        -> (rooms: [WelcomeFrame.RoomEntry], dms: [String], blocked: [String])?
    {
        guard registered, let rooms = roomStore else { return nil }
        do {
            let memberships = try await rooms.memberships(of: user)
            let peers = try await rooms.directPeers(of: user)
            let blocked = try await rooms.blockedUsers(of: user)
            // Badges from the server's read positions; the rooms come back without them if the
            // counts cannot be read.
            let unread = (try? await rooms.unreadRooms(of: user)) ?? []
            let byRoom = Dictionary(
                unread.map { (Room.key(for: $0.room), $0) }, uniquingKeysWith: { first, _ in first })
            let entries = memberships.map { WelcomeFrame.RoomEntry($0, unread: byRoom[Room.key(for: $0.room.name)]) }
            return (entries, peers, blocked)
        } catch {
            logger.warning("stored rooms unavailable", metadata: ["user": "\(user)", "error": "\(error)"])
            return nil
        }
    }

    /// Delivers the direct messages a registered user missed while away: after `welcome`, one
    /// `history` frame per unread conversation, holding every message after the user's read
    /// position (newest first, at most `maxHistoryPage`; `hasMore` says older ones remain).
    /// A store failure here is logged and skipped: the counts in `welcome` still tell the client
    /// to fetch them with `history`.
    func deliverUnread(_ unread: [UnreadConversation], to id: SessionID, user: String) async {
        for entry in unread where entry.lastSeq > entry.readSeq {
            let conversation = Conversation.direct(between: user, and: entry.peer)
            let limit = Int(min(entry.lastSeq - entry.readSeq, Int64(configuration.limits.maxHistoryPage)))
            do {
                let page = try await store.messages(in: conversation, before: nil, limit: limit + 1)
                guard membership[id] != nil else { return }
                let frames = page.prefix(limit).map { MessageFrame($0, in: conversation) }
                send(HistoryFrame(room: nil, peer: entry.peer, messages: frames, hasMore: page.count > limit), to: id)
            } catch {
                logger.warning(
                    "unread direct messages not delivered at hello",
                    metadata: ["session": "\(id)", "peer": "\(entry.peer)", "error": "\(error)"])
            }
        }
    }

    /// Whether a direct message to `target` may be sent while the peer is offline: it may when
    /// the peer has an account, since the message is stored and shown at their next sign-in.
    ///
    /// The account lookup is a store call on the send path, so it runs within the send's
    /// `deadline`. When it fails the answer matters only for a peer who is offline: that send is
    /// refused as `unavailable` (retry with the same cid), not as `user_offline`.
    func acceptsOfflineDelivery(_ target: ConversationTarget, cid: String, deadline: Deadline) async throws -> Bool {
        guard case .user(let peer) = target, let authenticator, ChatName.isValid(peer, limits: configuration.limits)
        else { return false }
        do {
            return try await deadline.run("account lookup") { try await authenticator.registeredName(matching: peer) }
                == peer
        } catch {
            if isOnline(peer) { return false }
            logger.warning("account lookup failed on send", metadata: ["error": "\(error)"])
            throw ProtocolError(
                .unavailable, "the account store is unavailable; retry with the same cid", cid: cid, ref: "send")
        }
    }
}
