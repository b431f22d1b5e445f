import NIOCore
import Testing

@testable import ChatCore

@Suite("RoomStream")
struct RoomStreamTests {
    static func frame(_ seq: Int64) -> ByteBuffer { ByteBuffer(string: "m\(seq)") }
    static func texts(_ frames: [ByteBuffer]?) -> [String]? { frames?.map { String(buffer: $0) } }

    @Test("while joining, live messages are held and released after the backlog in seq order, without duplicates")
    func joiningHoldsThenReleases() throws {
        var stream = RoomStream.joining
        #expect(stream.isJoining)
        for seq: Int64 in [7, 6, 5, 6] {
            let step1 = stream.receive(seq: seq, frame: Self.frame(seq))
            #expect(step1 == .hold)
        }
        // The backlog delivered up to 5: 5 is not sent twice, 6 and 7 follow once each.
        let step2 = stream.joined(lastDelivered: 5)
        let release = try #require(step2)
        #expect(Self.texts(release.frames) == ["m6", "m7"])
        #expect(!release.needsRepair)
        #expect(stream.lastSeq == 7)
        #expect(!stream.isJoining)
        // A second `joined` is refused: it would replay the buffer.
        let step3 = stream.joined(lastDelivered: 5)
        #expect(step3 == nil)
    }

    @Test("live: the next seq is delivered, an old or repeated one skipped")
    func liveDeliversInOrder() throws {
        var stream = RoomStream.joining
        let step4 = stream.joined(lastDelivered: 3)
        _ = try #require(step4)
        let step5 = stream.receive(seq: 4, frame: Self.frame(4))
        #expect(step5 == .deliver)
        let step6 = stream.receive(seq: 4, frame: Self.frame(4))
        #expect(step6 == .skip)
        let step7 = stream.receive(seq: 2, frame: Self.frame(2))
        #expect(step7 == .skip)
        #expect(stream.lastSeq == 4)
    }

    @Test("a gap in the live stream starts a repair; the store's messages, then the held ones, go out in order")
    func liveGapRepairs() throws {
        var stream = RoomStream.joining
        let step8 = stream.joined(lastDelivered: 10)
        _ = try #require(step8)
        let step9 = stream.receive(seq: 13, frame: Self.frame(13))
        #expect(step9 == .repair)
        #expect(stream.repairingAfter == 10)
        // More live messages arrive while the store is read: held, not delivered.
        let step10 = stream.receive(seq: 15, frame: Self.frame(15))
        #expect(step10 == .hold)
        let step11 = stream.receive(seq: 14, frame: Self.frame(14))
        #expect(step11 == .hold)
        // The store has 11 to 14 (14 also held: sent once).
        let missing = (11...14).map { RoomStream.Entry(seq: Int64($0), frame: Self.frame(Int64($0))) }
        let frames = stream.repaired(with: missing)
        #expect(frames?.complete == true)
        #expect(Self.texts(frames?.frames) == ["m11", "m12", "m13", "m14", "m15"])
        #expect(stream.lastSeq == 15)
        let step12 = stream.repaired(with: missing)
        #expect(step12 == nil)
    }

    @Test("a gap between the backlog and the held messages is repaired before going live")
    func joinGapRepairs() throws {
        var stream = RoomStream.joining
        let step13 = stream.receive(seq: 9, frame: Self.frame(9))
        #expect(step13 == .hold)
        let step14 = stream.receive(seq: 6, frame: Self.frame(6))
        #expect(step14 == .hold)
        let step15 = stream.joined(lastDelivered: 5)
        let release = try #require(step15)
        #expect(Self.texts(release.frames) == ["m6"])
        #expect(release.needsRepair)
        #expect(stream.repairingAfter == 6)
        let frames = stream.repaired(with: [7, 8].map { RoomStream.Entry(seq: $0, frame: Self.frame($0)) })
        #expect(Self.texts(frames?.frames) == ["m7", "m8", "m9"])
        #expect(stream.lastSeq == 9)
    }

    @Test(
        "a repair that leaves a hole is not complete and delivers nothing: the stream stays repairing (the hub then closes the session, which resumes with since)"
    )
    func incompleteRepairSkipsNothing() throws {
        var stream = RoomStream.joining
        let step16 = stream.joined(lastDelivered: 1)
        _ = try #require(step16)
        let step17 = stream.receive(seq: 4, frame: Self.frame(4))
        #expect(step17 == .repair)
        let unread = stream.repaired(with: [])
        #expect(unread?.complete == false)
        #expect(unread?.frames.isEmpty == true)
        #expect(stream.repairingAfter == 1, "2 and 3 are still missing: nothing was skipped")
        let partial = stream.repaired(with: [RoomStream.Entry(seq: 2, frame: Self.frame(2))])
        #expect(partial?.complete == false)
        let whole = stream.repaired(with: [2, 3].map { RoomStream.Entry(seq: $0, frame: Self.frame($0)) })
        #expect(whole?.complete == true)
        #expect(Self.texts(whole?.frames) == ["m2", "m3", "m4"])
        let step18 = stream.receive(seq: 5, frame: Self.frame(5))
        #expect(step18 == .deliver)
    }

    @Test("after a broker recovery a live stream re-reads everything after its last seq; other states are left alone")
    func brokerRecovery() throws {
        var live = RoomStream.joining
        let step19 = live.joined(lastDelivered: 8)
        _ = try #require(step19)
        let step20 = live.brokerRecovered()
        #expect(step20)
        #expect(live.repairingAfter == 8)
        let step21 = live.brokerRecovered()
        #expect(!step21)  // already repairing: one repair, not two
        let step22 = live.repaired(with: [RoomStream.Entry(seq: 9, frame: Self.frame(9))])
        #expect(Self.texts(step22?.frames) == ["m9"])

        var joining = RoomStream.joining
        let step23 = joining.brokerRecovered()
        #expect(!step23)
        #expect(joining.isJoining)
    }
}
