import ChatCore
import ChatStore
import Testing

/// The behaviour every `RoomStore` promises, run against the in-memory store, SQLite and
/// PostgreSQL alike.
@Suite("RoomStore conformance", .timeLimit(.minutes(2)))
struct RoomStoreConformanceTests {
    typealias Store = any DatabaseURL.DurableStore

    /// Registers each name (a name without an account is a guest to the room store).
    static func register(_ store: Store, _ names: String...) async throws {
        for name in names {
            try await store.createAccount(Account(name: name, passwordHash: "h", createdAt: 1))
        }
    }

    static func refusal(_ code: RoomStoreError.Code, _ body: () async throws -> Void) async -> Bool {
        do {
            try await body()
            return false
        } catch let error as RoomStoreError {
            return error.code == code
        } catch {
            return false
        }
    }

    @Test(
        "rooms are unique case-insensitively, keep their spelling, and their creator owns them",
        arguments: await StoreKind.available)
    func createRooms(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                try await Self.register(store, "alice")
                let lobby = Room(name: "Lobby", topic: "hi", visibility: .public, creator: "alice", createdAt: 10)
                #expect(try await store.createRoom(lobby) == lobby)
                #expect(try await store.room(named: "lobby") == lobby)
                #expect(try await store.room(named: "LOBBY")?.name == "Lobby")
                #expect(try await store.role(of: "ALICE", in: "lobby") == .owner)
                #expect(
                    await Self.refusal(.roomExists) {
                        _ = try await store.createRoom(
                            Room(name: "lobby", visibility: .invite, creator: "alice", createdAt: 11))
                    })
                #expect(
                    await Self.refusal(.forbidden) {
                        _ = try await store.createRoom(
                            Room(name: "hideout", visibility: .private, creator: "guest1", createdAt: 12))
                    }, "a guest cannot create a private room")
                _ = try await store.createRoom(
                    Room(name: "secret", visibility: .private, creator: "alice", createdAt: 13))
                _ = try await store.createRoom(Room(name: "club", visibility: .invite, creator: "alice", createdAt: 14))
                #expect(
                    try await store.directoryRooms().map(\.name) == ["club", "Lobby"], "private rooms are never listed")
                #expect(try await store.allRooms().map(\.name) == ["club", "Lobby", "secret"])
                #expect(try await store.memberships(of: "alice").map(\.room.name) == ["club", "Lobby", "secret"])
                #expect(try await store.moderationLog(of: "LOBBY", limit: 10).map(\.action) == [.create])
            }
        }
    }

    @Test(
        "a first join of an unknown public name creates it; guests are never stored as members",
        arguments: await StoreKind.available)
    func joinOrCreatePublic(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                try await Self.register(store, "bob", "carol")
                let created = try await store.join(room: "News", user: "guest7", now: 100)
                #expect(created.created)
                #expect(created.role == .member, "a guest creator holds no role above member")
                #expect(created.room == Room(name: "News", visibility: .public, creator: "guest7", createdAt: 100))
                #expect(try await store.members(of: "news").isEmpty)

                let bob = try await store.join(room: "news", user: "bob", now: 101)
                #expect(bob == RoomJoin(room: created.room, role: .member, created: false))
                #expect(try await store.members(of: "NEWS") == [RoomMember(user: "bob", role: .member, joinedAt: 101)])
                let again = try await store.join(room: "NEWS", user: "bob", now: 102)
                #expect(again.role == .member && !again.created)
                #expect(
                    try await store.members(of: "news").map(\.joinedAt) == [101], "joining twice keeps the first join")

                let owned = try await store.join(room: "carols", user: "carol", now: 103)
                #expect(owned.created && owned.role == .owner, "a registered creator owns the room")
                #expect(
                    try await store.memberships(of: "Carol").map { [$0.room.name, $0.role.rawValue] } == [
                        ["carols", "owner"]
                    ])
                #expect(try await store.leave(room: "NEWS", user: "bob"))
                #expect(try await store.leave(room: "news", user: "bob") == false)
                #expect(try await store.memberships(of: "bob").isEmpty)
                try await store.authorizeSend(user: "guest7", room: "news", now: 104)
                try await store.authorizeSend(user: "anyone", room: "never-made", now: 104)
                #expect(try await store.authorizeRead(user: nil, room: "news", now: 104)?.name == "News")
                #expect(try await store.authorizeRead(user: nil, room: "never-made", now: 104) == nil)
            }
        }
    }

    @Test(
        "private and invite-only rooms admit invited members only, and only members and admins read them",
        arguments: await StoreKind.available)
    func invitations(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                try await Self.register(store, "alice", "bob", "carol", "dave")
                #expect(try await store.setAdmin(true, name: "dave"))
                for (name, visibility) in [("secret", RoomVisibility.private), ("club", .invite)] {
                    _ = try await store.createRoom(
                        Room(name: name, visibility: visibility, creator: "alice", createdAt: 1))
                    #expect(
                        await Self.refusal(.notInvited) { _ = try await store.join(room: name, user: "guest1", now: 2) }
                    )
                    #expect(
                        await Self.refusal(.notInvited) { _ = try await store.join(room: name, user: "bob", now: 2) })
                    #expect(
                        await Self.refusal(.forbidden) {
                            try await store.invite("bob", to: name, by: .user("carol"), now: 3)
                        },
                        "a non-member cannot invite")
                    #expect(
                        await Self.refusal(.noSuchUser) {
                            try await store.invite("guest1", to: name, by: .user("alice"), now: 3)
                        })
                    #expect(
                        await Self.refusal(.noSuchRoom) {
                            try await store.invite("bob", to: "nowhere", by: .user("alice"), now: 3)
                        })
                    try await store.invite("Bob", to: name.uppercased(), by: .user("alice"), now: 4)
                    #expect(try await store.isInvited("bob", to: name))
                    #expect(try await store.join(room: name, user: "bob", now: 5).role == .member)
                    #expect(try await store.isInvited("bob", to: name) == false, "the join uses the invitation up")

                    #expect(
                        await Self.refusal(.forbidden) {
                            _ = try await store.authorizeRead(user: nil, room: name, now: 6)
                        })
                    #expect(
                        await Self.refusal(.forbidden) {
                            _ = try await store.authorizeRead(user: "carol", room: name, now: 6)
                        })
                    #expect(
                        await Self.refusal(.forbidden) {
                            _ = try await store.authorizeRead(user: "guest1", room: name, now: 6)
                        })
                    #expect(try await store.authorizeRead(user: "bob", room: name.uppercased(), now: 6)?.name == name)
                    #expect(
                        try await store.authorizeRead(user: "dave", room: name, now: 6)?.name == name,
                        "an admin reads every room")
                    #expect(
                        await Self.refusal(.notMember) {
                            try await store.authorizeSend(user: "carol", room: name, now: 6)
                        })
                    try await store.authorizeSend(user: "bob", room: name, now: 6)
                    #expect(
                        try await store.join(room: name, user: "dave", now: 7).role == .member,
                        "an admin needs no invitation")

                    try await store.kick("bob", from: name, reason: "", by: .user("alice"), now: 8)
                    #expect(
                        await Self.refusal(.notInvited) { _ = try await store.join(room: name, user: "bob", now: 9) },
                        "a kicked member of a closed room needs a new invitation")
                }
                _ = try await store.setDisabled(true, name: "dave", now: 10)
                #expect(
                    await Self.refusal(.forbidden) {
                        _ = try await store.authorizeRead(user: "dave", room: "club", now: 11)
                    } == false,
                    "dave is still a member")
                #expect(try await store.leave(room: "club", user: "dave"))
                #expect(
                    await Self.refusal(.forbidden) {
                        _ = try await store.authorizeRead(user: "dave", room: "club", now: 11)
                    },
                    "a disabled admin is no admin")
            }
        }
    }

    @Test(
        "owners set roles; moderators act only on lower roles; guests hold no role; admins and the operator outrank all",
        arguments: await StoreKind.available)
    func roles(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                try await Self.register(store, "alice", "bob", "carol", "erin", "dave")
                _ = try await store.setAdmin(true, name: "dave")
                _ = try await store.createRoom(Room(name: "den", visibility: .public, creator: "alice", createdAt: 1))
                for user in ["bob", "carol", "erin"] { _ = try await store.join(room: "den", user: user, now: 2) }
                _ = try await store.join(room: "den", user: "guest5", now: 2)

                #expect(
                    await Self.refusal(.forbidden) {
                        try await store.setRole(.moderator, of: "carol", in: "den", by: .user("bob"), now: 3)
                    })
                #expect(
                    await Self.refusal(.noSuchUser) {
                        try await store.setRole(.moderator, of: "guest5", in: "den", by: .user("alice"), now: 3)
                    },
                    "a guest can never hold a role above member")
                #expect(
                    await Self.refusal(.noSuchRoom) {
                        try await store.setRole(.moderator, of: "bob", in: "nowhere", by: .user("alice"), now: 3)
                    })
                try await store.setRole(.moderator, of: "Bob", in: "DEN", by: .user("alice"), now: 3)
                #expect(
                    try await store.members(of: "den").map { "\($0.user):\($0.role.rawValue)" }
                        == ["alice:owner", "bob:moderator", "carol:member", "erin:member"],
                    "members are listed as registered")
                #expect(
                    await Self.refusal(.forbidden) {
                        try await store.setRole(.owner, of: "carol", in: "den", by: .user("bob"), now: 4)
                    },
                    "a moderator cannot set roles")

                try await store.kick("carol", from: "den", reason: "spam", by: .user("bob"), now: 5)
                #expect(try await store.role(of: "carol", in: "den") == nil)
                try await store.kick("guest5", from: "den", reason: "", by: .user("bob"), now: 5)
                #expect(
                    await Self.refusal(.forbidden) {
                        try await store.kick("alice", from: "den", reason: "", by: .user("bob"), now: 6)
                    })
                try await store.setRole(.moderator, of: "erin", in: "den", by: .user("alice"), now: 6)
                #expect(
                    await Self.refusal(.forbidden) {
                        try await store.ban("erin", from: "den", until: nil, reason: "", by: .user("bob"), now: 7)
                    },
                    "a moderator cannot ban a moderator")
                #expect(
                    await Self.refusal(.forbidden) {
                        try await store.mute("bob", in: "den", until: nil, by: .user("carol"), now: 7)
                    },
                    "a non-member cannot mute")
                #expect(
                    await Self.refusal(.forbidden) {
                        try await store.kick("dave", from: "den", reason: "", by: .user("alice"), now: 7)
                    },
                    "an owner cannot kick a server admin")
                try await store.kick("alice", from: "den", reason: "", by: .user("dave"), now: 8)
                try await store.kick("dave", from: "den", reason: "", by: .serverOperator, now: 8)
                try await store.setRole(.owner, of: "erin", in: "den", by: .serverOperator, now: 9)
                #expect(try await store.role(of: "erin", in: "den") == .owner)

                let log = try await store.moderationLog(of: "den", limit: 100)
                #expect(log.map(\.action) == [.create, .role, .kick, .kick, .role, .kick, .kick, .role])
                #expect(log[2].actor == "bob" && log[2].target == "carol" && log[2].detail == "spam")
                #expect(log.last?.actor == RoomActor.operatorName && log.last?.detail == "owner")
                #expect(log.map(\.id) == log.map(\.id).sorted())
                #expect(
                    try await store.moderationLog(of: "den", limit: 2).map(\.action) == [.kick, .role],
                    "the newest entries, oldest first")
            }
        }
    }

    @Test(
        "bans and mutes hold until they end or are lifted, for members and guests alike",
        arguments: await StoreKind.available)
    func bansAndMutes(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                try await Self.register(store, "alice", "bob", "carol")
                _ = try await store.createRoom(Room(name: "den", visibility: .public, creator: "alice", createdAt: 1))
                _ = try await store.join(room: "den", user: "bob", now: 2)
                try await store.ban("Bob", from: "den", until: 1_000, reason: "rude", by: .user("alice"), now: 10)
                #expect(try await store.role(of: "bob", in: "den") == nil, "a ban ends the membership")
                #expect(
                    try await store.bans(in: "den", now: 11)
                        == [RoomBan(user: "Bob", until: 1_000, reason: "rude", bannedBy: "alice", createdAt: 10)])
                #expect(await Self.refusal(.banned) { _ = try await store.join(room: "DEN", user: "bob", now: 999) })
                #expect(
                    await Self.refusal(.banned) { try await store.authorizeSend(user: "bob", room: "den", now: 999) })
                #expect(try await store.bans(in: "den", now: 1_000).isEmpty, "the ban has ended")
                #expect(try await store.join(room: "den", user: "bob", now: 1_000).role == .member)

                try await store.ban("guest9", from: "den", until: nil, reason: "", by: .user("alice"), now: 20)
                #expect(
                    await Self.refusal(.banned) {
                        _ = try await store.join(room: "den", user: "Guest9", now: 9_999_999)
                    })
                #expect(
                    await Self.refusal(.forbidden) {
                        _ = try await store.unban("guest9", in: "den", by: .user("bob"), now: 21)
                    })
                #expect(try await store.unban("GUEST9", in: "den", by: .user("alice"), now: 21))
                #expect(try await store.unban("guest9", in: "den", by: .user("alice"), now: 21) == false)
                #expect(try await store.join(room: "den", user: "guest9", now: 22).role == .member)

                _ = try await store.join(room: "den", user: "carol", now: 30)
                try await store.mute("carol", in: "den", until: 500, by: .user("alice"), now: 31)
                #expect(
                    try await store.mutes(in: "den", now: 32) == [
                        RoomMute(user: "carol", until: 500, mutedBy: "alice", createdAt: 31)
                    ])
                #expect(
                    await Self.refusal(.muted) { try await store.authorizeSend(user: "Carol", room: "den", now: 499) })
                try await store.authorizeSend(user: "carol", room: "den", now: 500)
                try await store.mute("carol", in: "den", until: nil, by: .user("alice"), now: 600)
                #expect(
                    await Self.refusal(.muted) {
                        try await store.authorizeSend(user: "carol", room: "den", now: 9_999_999)
                    })
                #expect(try await store.unmute("carol", in: "den", by: .user("alice"), now: 601))
                #expect(try await store.unmute("carol", in: "den", by: .user("alice"), now: 602) == false)
                try await store.authorizeSend(user: "carol", room: "den", now: 603)
                #expect(
                    try await store.moderationLog(of: "den", limit: 100).map(\.action)
                        == [.create, .ban, .ban, .unban, .mute, .mute, .unmute])
            }
        }
    }

    @Test(
        "owners change the topic and visibility and delete the room; the moderation log outlives it",
        arguments: await StoreKind.available)
    func updateAndDelete(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                try await Self.register(store, "alice", "bob")
                _ = try await store.createRoom(Room(name: "Den", visibility: .public, creator: "alice", createdAt: 1))
                _ = try await store.join(room: "den", user: "bob", now: 2)
                #expect(
                    await Self.refusal(.forbidden) {
                        _ = try await store.updateRoom(
                            named: "den", topic: "x", visibility: nil, by: .user("bob"), now: 3)
                    })
                #expect(
                    await Self.refusal(.noSuchRoom) {
                        _ = try await store.updateRoom(
                            named: "nowhere", topic: "x", visibility: nil, by: .user("alice"), now: 3)
                    })
                let updated = try await store.updateRoom(
                    named: "DEN", topic: "quiet please", visibility: .invite, by: .user("alice"), now: 4)
                #expect(
                    updated
                        == Room(name: "Den", topic: "quiet please", visibility: .invite, creator: "alice", createdAt: 1)
                )
                #expect(try await store.room(named: "den") == updated)
                #expect(
                    await Self.refusal(.forbidden) {
                        try await store.deleteRoom(named: "den", by: .user("bob"), now: 5)
                    })
                try await store.deleteRoom(named: "den", by: .user("alice"), now: 6)
                #expect(try await store.room(named: "den") == nil)
                #expect(try await store.memberships(of: "bob").isEmpty, "the members went with the room")
                #expect(
                    await Self.refusal(.noSuchRoom) {
                        try await store.deleteRoom(named: "den", by: .serverOperator, now: 7)
                    })
                let log = try await store.moderationLog(of: "den", limit: 10)
                #expect(log.map(\.action) == [.create, .topic, .visibility, .delete])
                #expect(log[1].detail == "quiet please" && log[2].detail == "invite")
                let again = try await store.join(room: "den", user: "bob", now: 8)
                #expect(again.created && again.room.visibility == .public, "the name is free again")
            }
        }
    }

    @Test("block lists are per user and case-insensitive", arguments: await StoreKind.available)
    func blocks(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                try await store.block("Mallory", by: "alice", now: 1)
                try await store.block("mallory", by: "ALICE", now: 2)
                try await store.block("eve", by: "alice", now: 3)
                #expect(try await store.blockedUsers(of: "alice") == ["eve", "Mallory"])
                #expect(try await store.hasBlocked("Alice", "MALLORY"))
                #expect(try await store.hasBlocked("mallory", "alice") == false, "blocking is one way")
                #expect(try await store.unblock("MALLORY", by: "alice"))
                #expect(try await store.unblock("mallory", by: "alice") == false)
                #expect(try await store.hasBlocked("alice", "mallory") == false)
                #expect(try await store.blockedUsers(of: "bob").isEmpty)
            }
        }
    }

    @Test(
        "a user's direct conversations with messages are listed, and rooms follow them after reopening",
        arguments: await StoreKind.available)
    func directPeersAndReopen(kind: StoreKind) async throws {
        try await StoreFixture.with(kind) { fixture in
            try await fixture.openRoomStore { store in
                try await Self.register(store, "alice", "bob", "carol")
                for (peer, n) in [("bob", 1), ("carol", 2)] {
                    _ = try await store.append(
                        MessageDraft(
                            conversation: .direct(between: "alice", and: peer), from: peer, text: "hi",
                            clientID: "c\(n)", timestamp: 1))
                }
                _ = try await store.state(of: .direct(between: "alice", and: "dave"))
                _ = try await store.join(room: "one", user: "alice", now: 1)
                _ = try await store.createRoom(Room(name: "two", visibility: .private, creator: "alice", createdAt: 2))
            }
            try await fixture.openRoomStore { (store) async throws -> Void in
                #expect(
                    try await store.directPeers(of: "alice") == ["bob", "carol"], "a DM without messages is not listed")
                #expect(try await store.directPeers(of: "bob") == ["alice"])
                #expect(
                    try await store.memberships(of: "alice").map { "\($0.room.name):\($0.role.rawValue)" } == [
                        "one:owner", "two:owner",
                    ])
            }
        }
    }
}
