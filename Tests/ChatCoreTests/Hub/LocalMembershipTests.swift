import NIOCore
import NIOEmbedded
import Testing

@testable import ChatCore

@Suite("LocalMembership")
struct LocalMembershipTests {
    static let allowance = ConnectionAllowance(limits: InboundLimits(), nowMillis: 0)

    @Test("identify reports a user's first session; disconnect reports the rooms left and the user's last session")
    func sessionsAndUsers() throws {
        var membership = LocalMembership()
        let one = membership.connect(sink: RecordingSink(loop: nil), allowance: Self.allowance)
        let two = membership.connect(sink: RecordingSink(loop: nil), allowance: Self.allowance)
        #expect(one != two)
        let step1 = membership.identify(one, as: "alice")
        #expect(step1)
        let step2 = membership.identify(two, as: "alice")
        #expect(!step2)
        let step3 = membership.enter("lobby", user: "alice", session: one)
        #expect(step3)
        let step4 = membership.enter("lobby", user: "alice", session: two)
        #expect(!step4)
        let step5 = membership.enter("dev", user: "alice", session: two)
        #expect(step5)

        let step6 = membership.disconnect(one)
        let first = try #require(step6)
        #expect(first.rooms == [LocalMembership.RoomExit(room: "lobby", userLeft: false)])
        #expect(!first.userWentOffline)
        let step7 = membership.disconnect(two)
        let second = try #require(step7)
        #expect(
            second.rooms == [
                LocalMembership.RoomExit(room: "dev", userLeft: true), .init(room: "lobby", userLeft: true),
            ])
        #expect(second.userWentOffline)
        #expect(membership.rooms.isEmpty && membership.users.isEmpty && membership.sessions.isEmpty)
        let step8 = membership.disconnect(two)
        #expect(step8 == nil)
    }

    @Test("unidentify undoes identify; exit of a room the session is not in changes nothing")
    func undo() {
        var membership = LocalMembership()
        let id = membership.connect(sink: RecordingSink(loop: nil), allowance: Self.allowance)
        let step9 = membership.identify(id, as: "bob")
        #expect(step9)
        membership.unidentify(id)
        #expect(!membership.isLocal("bob"))
        #expect(membership[id]?.user == nil)
        let step10 = membership.exit("nowhere", user: "bob", session: id)
        #expect(step10 == nil)
    }

    @Test("a room message goes to live members grouped by loop, is held for joining ones, and a gap asks for a repair")
    func routeRoomMessage() throws {
        var membership = LocalMembership()
        let loopA = EmbeddedEventLoop()
        let loopB = EmbeddedEventLoop()
        let sinks = [
            RecordingSink(loop: loopA), RecordingSink(loop: loopB), RecordingSink(loop: loopA),
            RecordingSink(loop: nil),
        ]
        var ids: [SessionID] = []
        for (index, sink) in sinks.enumerated() {
            let id = membership.connect(sink: sink, allowance: Self.allowance)
            _ = membership.identify(id, as: "u\(index)")
            _ = membership.enter("lobby", user: "u\(index)", session: id)
            ids.append(id)
        }
        // Sessions 0 and 1 are live at seq 4, session 2 at 2 (it will see a gap), 3 still joining.
        _ = membership[ids[0]]?.rooms["lobby"]?.joined(lastDelivered: 4)
        _ = membership[ids[1]]?.rooms["lobby"]?.joined(lastDelivered: 4)
        _ = membership[ids[2]]?.rooms["lobby"]?.joined(lastDelivered: 2)

        let routing = membership.route(seq: 5, frame: ByteBuffer(string: "m5"), in: "lobby")
        #expect(routing.recipients.count == 2)
        #expect(routing.repairs == [ids[2]])
        #expect(membership[ids[3]]?.rooms["lobby"]?.isJoining == true)
        routing.recipients.send(ByteBuffer(string: "m5"))
        loopA.run()
        loopB.run()
        #expect(sinks[0].frames.map { String(buffer: $0) } == ["m5"])
        #expect(sinks[1].frames.map { String(buffer: $0) } == ["m5"])
        #expect(sinks[2].frames.isEmpty && sinks[3].frames.isEmpty)
        // The same seq again (a duplicate publish) reaches no one.
        let step11 = membership.route(seq: 5, frame: ByteBuffer(string: "m5"), in: "lobby")
        #expect(step11.recipients.count == 0)
        // Presence goes only to members past joining, and never to the user it is about.
        #expect(membership.recipients(membership.sessions(in: "lobby", excluding: "u0"), liveIn: "lobby").count == 2)
        try loopA.syncShutdownGracefully()
        try loopB.syncShutdownGracefully()
    }

    @Test("a direct message reaches each of the recipient's sessions once per seq")
    func routeDirectMessage() {
        var membership = LocalMembership()
        let phone = membership.connect(sink: RecordingSink(loop: nil), allowance: Self.allowance)
        let laptop = membership.connect(sink: RecordingSink(loop: nil), allowance: Self.allowance)
        _ = membership.identify(phone, as: "carol")
        _ = membership.identify(laptop, as: "carol")
        let step12 = membership.route(seq: 1, conversationKey: "carol|dave", to: "carol")
        #expect(step12.count == 2)
        let step13 = membership.route(seq: 1, conversationKey: "carol|dave", to: "carol")
        #expect(step13.count == 0)
        let step14 = membership.route(seq: 2, conversationKey: "carol|dave", to: "carol")
        #expect(step14.count == 2)
        let step15 = membership.route(seq: 1, conversationKey: "carol|erin", to: "carol")
        #expect(step15.count == 2)
        let step16 = membership.route(seq: 1, conversationKey: "carol|dave", to: "nobody")
        #expect(step16.count == 0)
    }
}
