import Testing

@testable import ChatCore

@Suite("PresenceBatch")
struct PresenceBatchTests {
    typealias Transition = RoomRoster.Transition

    @Test("the first change after a quiet window goes at once; the rest of the burst waits, one flush per batch")
    func leadingEdgeThenBatch() {
        var batch = PresenceBatch()
        let join = { (user: String) in Transition(room: "lobby", user: user, event: .join) }
        #expect(batch.admit(join("a"), nowMillis: 1_000, windowMillis: 25) == .sendNow)
        #expect(batch.isEmpty)
        #expect(batch.admit(join("b"), nowMillis: 1_010, windowMillis: 25) == .batched(firstInBatch: true))
        #expect(batch.admit(join("c"), nowMillis: 1_011, windowMillis: 25) == .batched(firstInBatch: false))
        // Another room in the same window joins the pending batch without a second flush…
        #expect(
            batch.admit(Transition(room: "den", user: "x", event: .join), nowMillis: 1_012, windowMillis: 25)
                == .sendNow)
        // …once it sent recently; a room already waiting never jumps ahead of its own batch.
        #expect(batch.admit(join("d"), nowMillis: 2_000, windowMillis: 25) == .batched(firstInBatch: false))
        let taken = batch.takeAll(nowMillis: 2_001)
        #expect(taken.map(\.room) == ["lobby"])
        #expect(taken[0].transitions.map(\.user) == ["b", "c", "d"])
        #expect(batch.isEmpty)
        // Sent at 2,001: a change within the window waits again, one after it goes at once.
        #expect(batch.admit(join("e"), nowMillis: 2_010, windowMillis: 25) == .batched(firstInBatch: true))
        #expect(batch.take(room: "lobby", nowMillis: 2_011).map(\.user) == ["e"])
        #expect(batch.take(room: "lobby", nowMillis: 2_012).isEmpty)
        #expect(batch.admit(join("f"), nowMillis: 2_036, windowMillis: 25) == .sendNow)
    }

    @Test("quiet rooms are forgotten, so the memory is bounded by the rooms active within a window")
    func forgetsQuietRooms() {
        var batch = PresenceBatch()
        for index in 0..<100 {
            _ = batch.admit(Transition(room: "r\(index)", user: "u", event: .join), nowMillis: 0, windowMillis: 25)
        }
        _ = batch.admit(Transition(room: "r0", user: "v", event: .join), nowMillis: 10, windowMillis: 25)
        batch.forgetQuietRooms(nowMillis: 30, windowMillis: 25)
        // r0 still has a transition waiting: it keeps its record; the others start quiet again.
        #expect(
            batch.admit(Transition(room: "r1", user: "v", event: .join), nowMillis: 31, windowMillis: 25) == .sendNow)
        #expect(
            batch.admit(Transition(room: "r0", user: "w", event: .join), nowMillis: 31, windowMillis: 25)
                == .batched(firstInBatch: false))
    }

    @Test("a user's alternating transitions cancel out in pairs; the net lists are sorted")
    func netChange() {
        let transitions = [
            Transition(room: "r", user: "carol", event: .join),
            Transition(room: "r", user: "bob", event: .join),
            Transition(room: "r", user: "dave", event: .leave),
            Transition(room: "r", user: "bob", event: .leave),
            Transition(room: "r", user: "erin", event: .leave),
            Transition(room: "r", user: "erin", event: .join),
            Transition(room: "r", user: "alice", event: .join),
        ]
        #expect(PresenceBatch.net(of: transitions) == PresenceBatch.Net(joined: ["alice", "carol"], left: ["dave"]))
        #expect(PresenceBatch.net(of: Array(transitions[1...3])) == PresenceBatch.Net(joined: [], left: ["dave"]))
        #expect(PresenceBatch.net(of: Array(transitions[1...1] + transitions[3...3])).isEmpty)
    }

    @Test(
        "a batch shows one frame: a one-user frame when only one user changed, else a batch frame; a count in a large room"
    )
    func batchEmission() {
        var presence = ClusterPresence(nodeID: "a")
        var transitions: [Transition] = []
        for user in ["bob", "carol", "dave"] { transitions += presence.apply(.join, room: "r", user: user, node: "a") }
        transitions += presence.apply(.leave, room: "r", user: "dave", node: "a")
        #expect(
            presence.emission(forBatch: transitions, in: "r", detailLimit: 10)
                == .frame(
                    PresenceFrame(room: "r", user: nil, event: .batch, online: 2, joined: ["bob", "carol"], left: [])))
        #expect(
            presence.emission(forBatch: Array(transitions[2...3]), in: "r", detailLimit: 10) == nil)
        #expect(
            presence.emission(forBatch: Array(transitions[1...3]), in: "r", detailLimit: 10)
                == .frame(PresenceFrame(room: "r", user: "carol", event: .join, online: 2)))
        #expect(presence.emission(forBatch: transitions, in: "r", detailLimit: 1) == .countDue)
        #expect(presence.takeDueCounts() == [PresenceFrame(room: "r", user: nil, event: .count, online: 2)])
    }
}
