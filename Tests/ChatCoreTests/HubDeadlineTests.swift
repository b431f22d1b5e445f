import ChatCore
import Testing

/// A request's deadline counts from when its frame arrived, not from when the hub got to it:
/// frames a transport queued behind a stuck one are answered within the send timeout of
/// arriving. The hub is driven with arrival instants in the past, as a transport hands over
/// frames that waited.
@Suite("Hub deadlines count from the frame's arrival", .timeLimit(.minutes(1)))
struct HubDeadlineTests {
    /// The send timeout of these hubs.
    /// Long enough that the joins and sends on time finish within it at load 15 (at 2 s a join
    /// in CI timed out); the late frames arrived a second more than that ago.
    static let limits = ChatLimits(sendTimeout: .seconds(15))

    static func receive(_ json: String, by client: HubTests.Client, arrivedAgo age: Duration) async {
        await client.hub.receive(Array(json.utf8), from: client.id, receivedAt: .now - age)
    }

    @Test("a send whose time ran out while it waited is answered unavailable with a retry hint, and nothing is stored")
    func expiredSend() async throws {
        try await HubTests.withNodes(1, limits: Self.limits) { hubs, _ in
            let alice = try await HubTests.connect(hubs[0], as: "alice")
            await alice.send(#"{"type":"join","room":"lobby"}"#)
            _ = try await alice.expect("joined")

            await Self.receive(
                #"{"type":"send","room":"lobby","text":"late","cid":"c1"}"#, by: alice, arrivedAgo: .seconds(16))
            let refusal = try await alice.expect("error")
            #expect(refusal["code"] as? String == "unavailable")
            #expect(refusal["cid"] as? String == "c1")
            #expect(refusal["ref"] as? String == "send")
            #expect((refusal["message"] as? String)?.contains("retry with the same cid") == true, "\(refusal)")

            // Not stored: the history is empty, and the retry is the room's first message.
            await alice.send(#"{"type":"history","room":"lobby"}"#)
            let history = try await alice.expect("history")
            #expect((history["messages"] as? [Any])?.isEmpty == true, "\(history)")
            await alice.send(#"{"type":"send","room":"lobby","text":"late","cid":"c1"}"#)
            let ack = try await alice.expect("ack", skipping: ["message"])
            #expect(ack["seq"] as? Int == 1)
            #expect(ack["duplicate"] as? Bool != true, "\(ack)")
        }
    }

    @Test("a send that waited less than the send timeout is stored and acknowledged")
    func sendWithinDeadline() async throws {
        try await HubTests.withNodes(1, limits: Self.limits) { hubs, _ in
            let alice = try await HubTests.connect(hubs[0], as: "alice")
            await alice.send(#"{"type":"join","room":"lobby"}"#)
            _ = try await alice.expect("joined")
            // A generous budget is left (the hub's 15 s minus 100 ms), so a loaded machine passes.
            await Self.receive(
                #"{"type":"send","room":"lobby","text":"on time","cid":"c2"}"#, by: alice,
                arrivedAgo: .milliseconds(100))
            let ack = try await alice.expect("ack", skipping: ["message"])
            #expect(ack["cid"] as? String == "c2")
            #expect(ack["seq"] as? Int == 1)
        }
    }

    @Test("join and history whose time ran out are answered unavailable; the room can be joined after")
    func expiredJoinAndHistory() async throws {
        try await HubTests.withNodes(1, limits: Self.limits) { hubs, _ in
            let alice = try await HubTests.connect(hubs[0], as: "alice")
            await Self.receive(#"{"type":"join","room":"lobby","since":0}"#, by: alice, arrivedAgo: .seconds(16))
            let joinRefusal = try await alice.expect("error")
            #expect(joinRefusal["code"] as? String == "unavailable")
            #expect(joinRefusal["ref"] as? String == "join")

            await Self.receive(#"{"type":"history","room":"lobby"}"#, by: alice, arrivedAgo: .seconds(16))
            let historyRefusal = try await alice.expect("error")
            #expect(historyRefusal["code"] as? String == "unavailable")
            #expect(historyRefusal["ref"] as? String == "history")
            #expect(
                (historyRefusal["message"] as? String)?.contains("did not answer in time") == true, "\(historyRefusal)")

            // The refused join left nothing behind: joining now is not `already_joined`.
            await alice.send(#"{"type":"join","room":"lobby"}"#)
            let joined = try await alice.expect("joined")
            #expect(joined["room"] as? String == "lobby")

            await alice.send(#"{"type":"send","room":"lobby","text":"one","cid":"c3"}"#)
            _ = try await alice.expect("ack", skipping: ["message"])
            await Self.receive(#"{"type":"read","room":"lobby","seq":1}"#, by: alice, arrivedAgo: .seconds(16))
            let readRefusal = try await alice.expect("error", skipping: ["message"])
            #expect(readRefusal["code"] as? String == "unavailable")
            #expect(readRefusal["ref"] as? String == "read")
        }
    }
}
