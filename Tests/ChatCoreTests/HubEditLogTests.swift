import ChatCore
import Testing

/// Edits keep no history visible to clients, but moderators read what each edit replaced in the
/// room's moderation log (`room_info`'s `log`).
@Suite("Hub: edits in the moderation log", .timeLimit(.minutes(1)))
struct HubEditLogTests {
    @Test(
        "the room's owner reads an edit's old text in room_info; a member gets no log, and the update frame carries only the new text"
    )
    func ownerSeesEditHistory() async throws {
        try await HubTests.withNodes(1, store: try await HubModerationTests.store()) { hubs, _ in
            // The first registered user to join a new room creates it and owns it.
            let owner = try await HubTests.connect(hubs[0], as: "alice")
            await owner.send(#"{"type":"join","room":"den"}"#)
            _ = try await owner.expect("joined")
            let bob = try await HubTests.connect(hubs[0], as: "bob")
            await bob.send(#"{"type":"join","room":"den"}"#)
            _ = try await bob.expect("joined")

            await bob.send(#"{"type":"send","room":"den","text":"what I first said","cid":"b1"}"#)
            #expect(try await HubMessageChangeTests.answer("b1", bob)["seq"] as? Int == 1)
            await bob.send(#"{"type":"edit","room":"den","seq":1,"text":"what I meant","cid":"b2"}"#)
            #expect(try await HubMessageChangeTests.answer("b2", bob)["type"] as? String == "ack")
            let update = try await HubMessageChangeTests.skipTo("update", owner)
            #expect(!"\(update)".contains("what I first said"), "clients never see the old text")

            await owner.send(#"{"type":"room_info","room":"den"}"#)
            let info = try await HubMessageChangeTests.skipTo("room", owner)
            #expect(info["role"] as? String == "owner")
            let log = try #require(info["log"] as? [[String: Any]])
            let edit = try #require(log.first { $0["action"] as? String == "edit" })
            #expect(edit["detail"] as? String == "what I first said")
            #expect(edit["seq"] as? Int == 1)
            #expect(edit["by"] as? String == "bob")

            await bob.send(#"{"type":"room_info","room":"den"}"#)
            let memberInfo = try await HubMessageChangeTests.skipTo("room", bob)
            #expect(memberInfo["log"] == nil)
            #expect(memberInfo["bans"] == nil)
        }
    }
}
