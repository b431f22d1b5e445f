import Testing

@testable import ChatCore

@Suite("PresenceGrace")
struct PresenceGraceTests {
    typealias Leave = PresenceGrace.Leave

    @Test("a departure waits until its deadline; then its rooms' leaves and the user's offline are due")
    func expiresAtTheDeadline() {
        var grace = PresenceGrace()
        let waits = grace.depart("bob", rooms: ["lobby", "den"], wentOffline: true, deadline: 10_000)
        #expect(waits)
        #expect(grace.isLingering("bob"))
        #expect(grace.isLingering("bob", in: "lobby"))
        let early = grace.expire(nowMillis: 9_999)
        #expect(early.isEmpty)
        let expiry = grace.expire(nowMillis: 10_000)
        #expect(expiry.leaves == [Leave(room: "den", user: "bob"), Leave(room: "lobby", user: "bob")])
        #expect(expiry.offline == ["bob"])
        #expect(grace.isEmpty)
        let again = grace.expire(nowMillis: 20_000)
        #expect(again.isEmpty, "each departure is due once")
    }

    @Test("coming back within the grace cancels silently: hello ends the offline wait, entering a room its leave")
    func returnCancels() {
        var grace = PresenceGrace()
        _ = grace.depart("bob", rooms: ["lobby", "den"], wentOffline: true, deadline: 10_000)
        let returned = grace.returned("bob")
        let returnedTwice = grace.returned("bob")
        let entered = grace.entered("lobby", user: "bob")
        let enteredTwice = grace.entered("lobby", user: "bob")
        #expect(returned && !returnedTwice)
        #expect(entered && !enteredTwice)
        // Not back in `den`: that one still leaves when the grace runs out.
        let expiry = grace.expire(nowMillis: 10_000)
        #expect(expiry.leaves == [Leave(room: "den", user: "bob")])
        #expect(expiry.offline.isEmpty)
        #expect(grace.isEmpty)
    }

    @Test("a session that was not the user's last waits for nothing")
    func nothingToWaitFor() {
        var grace = PresenceGrace()
        let waits = grace.depart("bob", rooms: [], wentOffline: false, deadline: 10_000)
        #expect(!waits)
        #expect(grace.isEmpty)
    }

    @Test("a kick or ban ends the wait at once for the matching users of that room only")
    func cancelForKick() {
        var grace = PresenceGrace()
        _ = grace.depart("Bob", rooms: ["lobby", "den"], wentOffline: true, deadline: 10_000)
        _ = grace.depart("carol", rooms: ["lobby"], wentOffline: true, deadline: 10_000)
        let ended = grace.cancel(in: "lobby") { $0.lowercased() == "bob" }
        let endedTwice = grace.cancel(in: "lobby") { $0.lowercased() == "bob" }
        #expect(ended == ["Bob"])
        #expect(endedTwice.isEmpty)
        #expect(!grace.isLingering("Bob", in: "lobby"))
        #expect(grace.isLingering("Bob", in: "den"))
        #expect(grace.isLingering("carol", in: "lobby"))
    }

    @Test("each departure keeps its own deadline; a later one moves only its own")
    func separateDeadlines() {
        var grace = PresenceGrace()
        _ = grace.depart("bob", rooms: ["lobby"], wentOffline: false, deadline: 5_000)
        _ = grace.depart("bob", rooms: ["den"], wentOffline: true, deadline: 8_000)
        let first = grace.expire(nowMillis: 6_000)
        let second = grace.expire(nowMillis: 8_000)
        #expect(first == .init(leaves: [Leave(room: "lobby", user: "bob")], offline: []))
        #expect(second == .init(leaves: [Leave(room: "den", user: "bob")], offline: ["bob"]))
    }

    @Test("the announcement lists the lingering memberships and users, so it does not post them")
    func announcement() {
        var grace = PresenceGrace()
        _ = grace.depart("bob", rooms: ["lobby"], wentOffline: true, deadline: 5_000)
        _ = grace.depart("carol", rooms: ["lobby", "den"], wentOffline: false, deadline: 5_000)
        let announced = grace.announcement
        #expect(announced.rooms == ["lobby": ["bob", "carol"], "den": ["carol"]])
        #expect(announced.users == ["bob"])
    }
}
