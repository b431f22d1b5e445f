import ChatCore
import Testing

/// A room's retention on the socket: `room_update` with `retentionDays` from an admin, refused
/// to an owner who is no admin and out of range, shown by `room_info`.
@Suite("Hub: a room's retention", .timeLimit(.minutes(1)))
struct HubRetentionTests {
    @Test(
        "room_update retentionDays: admins only (forbidden for the owner), 0…36500 (invalid_field), shown by room_info")
    func retentionOverRoomFrames() async throws {
        let store = InMemoryMessageStore()
        for name in ["alice", "root"] {
            try await store.createAccount(Account(name: name, passwordHash: "h", createdAt: 1))
        }
        _ = try await store.setAdmin(true, name: "root")
        try await HubTests.withNodes(1, store: store) { hubs, _ in
            let alice = try await HubTests.connect(hubs[0], as: "alice")
            await alice.send(#"{"type":"room_create","room":"Den","topic":"quiet"}"#)
            #expect(try await alice.expect("room")["role"] as? String == "owner")

            await alice.send(#"{"type":"room_update","room":"den","retentionDays":3}"#)
            let refused = try await alice.expect("error")
            #expect(refused["code"] as? String == "forbidden", "\(refused)")
            #expect(refused["ref"] as? String == "room_update")
            #expect(try await store.roomRetention(of: "den") == nil, "nothing changed")

            let root = try await HubTests.connect(hubs[0], as: "root")
            await root.send(#"{"type":"room_update","room":"den","retentionDays":36501}"#)
            #expect(try await root.expect("error")["code"] as? String == "invalid_field")
            await root.send(#"{"type":"room_update","room":"den","retentionDays":3}"#)
            let updated = try await root.expect("room")
            #expect(updated["retentionDays"] as? Int == 3, "\(updated)")
            #expect(updated["topic"] as? String == "quiet", "the topic is left as it was")
            #expect(try await store.roomRetention(of: "Den") == 3)

            await alice.send(#"{"type":"room_info","room":"den"}"#)
            #expect(try await alice.expect("room")["retentionDays"] as? Int == 3)
        }
    }
}
