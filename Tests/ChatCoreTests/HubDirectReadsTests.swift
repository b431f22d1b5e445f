import ChatCore
import Testing

/// A DM's read receipt survives the sender's reload: its `history` pages carry how far the peer
/// read (rooms have `joined.reads`).
@Suite("Hub: a DM's history says how far the peer read", .timeLimit(.minutes(1)))
struct HubDirectReadsTests {
    /// A frame's `reads` as "user: seq" lines.
    static func reads(_ frame: [String: Any]) -> [String]? {
        (frame["reads"] as? [[String: Any]])?.map { "\($0["user"] as? String ?? "?"): \($0["seq"] as? Int ?? -1)" }
    }

    @Test("after the peer's read, a history page of the DM names the peer and its read seq; before it, seq 0")
    func historyCarriesThePeersRead() async throws {
        try await HubTests.withNodes(2) { hubs, _ in
            let alice = try await HubTests.connect(hubs[0], as: "alice")
            let bob = try await HubTests.connect(hubs[1], as: "bob")
            await alice.send(#"{"type":"send","to":"bob","text":"psst","cid":"a1"}"#)
            #expect(try await HubMessageChangeTests.answer("a1", alice)["seq"] as? Int == 1)
            _ = try await HubMessageChangeTests.skipTo("message", bob)

            await alice.send(#"{"type":"history","peer":"bob"}"#)
            let unread = try await HubMessageChangeTests.skipTo("history", alice)
            #expect(Self.reads(unread) == ["bob: 0"])

            await bob.send(#"{"type":"read","peer":"alice","seq":1}"#)
            _ = try await HubMessageChangeTests.skipTo("receipt", alice)
            // A new page (a reload) knows it from the store, not from the live receipt.
            await alice.send(#"{"type":"history","peer":"bob"}"#)
            let read = try await HubMessageChangeTests.skipTo("history", alice)
            #expect(Self.reads(read) == ["bob: 1"])
            #expect((read["messages"] as? [[String: Any]])?.count == 1)

            // A room's page has none (its readers come with `joined`).
            await alice.send(#"{"type":"join","room":"lobby"}"#)
            _ = try await HubMessageChangeTests.skipTo("joined", alice)
            await alice.send(#"{"type":"history","room":"lobby"}"#)
            #expect(try await HubMessageChangeTests.skipTo("history", alice)["reads"] == nil)
        }
    }
}
