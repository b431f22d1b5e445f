extension BotScope {
    /// Why a bot with this scope may not send `frame` over `/ws`, as the `error` frame's message;
    /// nil when it may (the hub's usual checks still follow).
    ///
    /// A bot reads only the rooms it may read, posts (and edits or reacts) only where it may
    /// post, and has no direct messages, blocks, room creation or moderation. A pure function of
    /// the scope and the frame, so it is tested without a hub.
    public func refusal(of frame: ClientFrame) -> String? {
        switch frame {
        case .hello, .ping, .leave, .watch:
            return nil
        case .join(let join):
            return mayRead(join.room) ? nil : Self.mayNotRead(join.room)
        case .roomInfo(let info):
            return mayRead(info.room) ? nil : Self.mayNotRead(info.room)
        case .history(let request):
            return room(of: request.target).map { mayRead($0) ? nil : Self.mayNotRead($0) } ?? Self.noDirect
        case .send(let send):
            return room(of: send.target).map { mayPost(to: $0) ? nil : Self.mayNotPost($0) } ?? Self.noDirect
        case .change(let change):
            return room(of: change.target).map { mayPost(to: $0) ? nil : Self.mayNotPost($0) } ?? Self.noDirect
        case .typing(let typing):
            return room(of: typing.target).map { mayPost(to: $0) ? nil : Self.mayNotPost($0) } ?? Self.noDirect
        case .read(let read):
            return room(of: read.target).map { mayRead($0) ? nil : Self.mayNotRead($0) } ?? Self.noDirect
        case .roomCreate, .roomUpdate, .moderate, .block, .unblock:
            return "bots may not `\(frame.type)`: a bot only posts to (and reads) the rooms of its scope"
        }
    }

    private func room(of target: ConversationTarget) -> String? {
        if case .room(let room) = target { return room }
        return nil
    }

    private static func mayNotRead(_ room: String) -> String {
        "this bot may not read `\(room)`: its scope does not grant reading that room"
    }

    private static func mayNotPost(_ room: String) -> String {
        "this bot may not post to `\(room)`: the room is not in its scope"
    }

    private static let noDirect = "bots have no direct conversations: they post to the rooms of their scope"
}
