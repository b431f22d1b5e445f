import Testing

@testable import ChatCore

@Suite("ClusterPresence")
struct ClusterPresenceTests {
    typealias Transition = RoomRoster.Transition

    @Test("a user is online in a room while any node has a session of theirs there; only real changes are transitions")
    func joinAndLeaveAcrossNodes() {
        var presence = ClusterPresence(nodeID: "a")
        let step1 = presence.apply(.join, room: "lobby", user: "alice", node: "a")
        #expect(step1 == [Transition(room: "lobby", user: "alice", event: .join)])
        let step2 = presence.apply(.join, room: "lobby", user: "alice", node: "b")
        #expect(step2.isEmpty)
        let step3 = presence.apply(.leave, room: "lobby", user: "alice", node: "a")
        #expect(step3.isEmpty)
        let step4 = presence.apply(.leave, room: "lobby", user: "alice", node: "b")
        #expect(step4 == [Transition(room: "lobby", user: "alice", event: .leave)])
        let step5 = presence.apply(.leave, room: "lobby", user: "alice", node: "b")
        #expect(step5.isEmpty)
        let step6 = presence.apply(.count, room: "lobby", user: "alice", node: "b")
        #expect(step6.isEmpty)
    }

    @Test("an announcement makes a node's membership exactly what it reports")
    func announcementReplaces() {
        var presence = ClusterPresence(nodeID: "a")
        _ = presence.apply(.join, room: "lobby", user: "alice", node: "b")
        presence.setOnline("alice", on: "b", true)
        let transitions = presence.applyAnnouncement(
            from: "b", rooms: ["lobby": ["bob"], "dev": ["bob"]], users: ["bob"], nowMillis: 0)
        #expect(
            Set(transitions.map { "\($0.event) \($0.user) \($0.room)" }) == [
                "leave alice lobby", "join bob lobby", "join bob dev",
            ])
        #expect(!presence.isOnline("alice"))
        #expect(presence.isOnline("bob"))
        #expect(presence.roster.members(of: "lobby") == ["bob"])
    }

    @Test("a node silent for longer than the limit expires with its members; this node never does")
    func silentNodesExpire() {
        var presence = ClusterPresence(nodeID: "a")
        _ = presence.applyAnnouncement(from: "a", rooms: ["lobby": ["me"]], users: ["me"], nowMillis: 0)
        _ = presence.applyAnnouncement(from: "b", rooms: ["lobby": ["carol"]], users: ["carol"], nowMillis: 10_000)
        let step7 = presence.expireSilentNodes(nowMillis: 20_000, silenceMillis: 15_000)
        #expect(step7.nodes.isEmpty)
        let expired = presence.expireSilentNodes(nowMillis: 25_001, silenceMillis: 15_000)
        #expect(expired.nodes == ["b"])
        #expect(expired.transitions == [Transition(room: "lobby", user: "carol", event: .leave)])
        #expect(!presence.isOnline("carol"))
        #expect(presence.isOnline("me"))
        #expect(presence.roster.members(of: "lobby") == ["me"])
    }

    @Test("a small room shows each transition as a frame; a large one only marks its count, flushed once")
    func emissionBySize() {
        var presence = ClusterPresence(nodeID: "a")
        let join = presence.apply(.join, room: "small", user: "alice", node: "a")[0]
        let step8 = presence.emission(for: join, detailLimit: 2)
        #expect(step8 == .frame(PresenceFrame(room: "small", user: "alice", event: .join, online: 1)))
        var last: Transition?
        for user in ["u1", "u2", "u3"] { last = presence.apply(.join, room: "big", user: user, node: "b").first }
        let step9 = presence.emission(for: last!, detailLimit: 2)
        #expect(step9 == .countDue)
        let step10 = presence.emission(for: last!, detailLimit: 2)
        #expect(step10 == .countDue)
        let step11 = presence.takeDueCounts()
        #expect(step11 == [PresenceFrame(room: "big", user: nil, event: .count, online: 3)])
        let step12 = presence.takeDueCounts()
        #expect(step12.isEmpty)
    }
}

@Suite("ClusterPresence: lingering users")
struct ClusterPresenceLingeringTests {
    @Test(
        "a user lingering on a node is online, but holds no nick there; a session again, or an announcement, says which"
    )
    func lingeringIsOnlineButNotConnected() {
        var presence = ClusterPresence(nodeID: "a")
        presence.setOnline("bob", on: "b", true)
        #expect(presence.isConnected("bob", elsewhereThan: "a"))
        presence.setOnline("bob", on: "b", true, lingering: true)
        #expect(presence.isOnline("bob"))
        #expect(!presence.isConnected("bob", elsewhereThan: "a"))
        // Back on node b: connected again.
        presence.setOnline("bob", on: "b", true)
        #expect(presence.isConnected("bob", elsewhereThan: "a"))
        // Lingering on b, connected on c.
        presence.setOnline("bob", on: "b", true, lingering: true)
        presence.setOnline("bob", on: "c", true)
        #expect(presence.isConnected("bob", elsewhereThan: "a"))
        #expect(!presence.isConnected("bob", elsewhereThan: "c"))
        presence.setOnline("bob", on: "c", false)
        presence.setOnline("bob", on: "b", false)
        #expect(!presence.isOnline("bob"))
        // An announcement carries who lingers.
        _ = presence.applyAnnouncement(
            from: "b", rooms: ["lobby": ["bob"]], users: ["bob"], lingering: ["bob"], nowMillis: 1)
        #expect(presence.isOnline("bob"))
        #expect(!presence.isConnected("bob", elsewhereThan: "a"))
        #expect(presence.roster.contains("bob", in: "lobby"))
        _ = presence.applyAnnouncement(from: "b", rooms: ["lobby": ["bob"]], users: ["bob"], nowMillis: 2)
        #expect(presence.isConnected("bob", elsewhereThan: "a"))
    }
}
