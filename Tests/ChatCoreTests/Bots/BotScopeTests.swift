import ChatCore
import Testing

/// `BotScope` as a plain value: which frames a bot's session may send.
@Suite("Bot scope")
struct BotScopeTests {
    let reader = BotScope(rooms: ["News", "alerts"], mayRead: true)
    let poster = BotScope(rooms: ["News"], mayRead: false)

    @Test("rooms compare in any case; reading needs the read grant")
    func covers() {
        #expect(reader.mayPost(to: "news") && reader.mayPost(to: "ALERTS"))
        #expect(!reader.mayPost(to: "random"))
        #expect(reader.mayRead("nEwS"))
        #expect(!poster.mayRead("News"), "posting does not grant reading")
        #expect(poster.mayPost(to: "news"))
    }

    @Test("joins, sends and history follow the scope; DMs, moderation and room changes are refused")
    func refusals() {
        #expect(reader.refusal(of: .join(JoinFrame(room: "news"))) == nil)
        #expect(reader.refusal(of: .join(JoinFrame(room: "random"))) != nil)
        #expect(poster.refusal(of: .join(JoinFrame(room: "news"))) != nil)
        #expect(reader.refusal(of: .send(SendFrame(target: .room("alerts"), text: "x", cid: "1"))) == nil)
        #expect(reader.refusal(of: .send(SendFrame(target: .room("random"), text: "x", cid: "1"))) != nil)
        #expect(reader.refusal(of: .send(SendFrame(target: .user("alice"), text: "x", cid: "1"))) != nil)
        #expect(reader.refusal(of: .history(HistoryRequestFrame(target: .room("news")))) == nil)
        #expect(poster.refusal(of: .history(HistoryRequestFrame(target: .room("news")))) != nil)
        #expect(reader.refusal(of: .ping(PingFrame(id: "p"))) == nil)
        #expect(reader.refusal(of: .roomCreate(RoomSettingsFrame(room: "news"))) != nil)
        #expect(reader.refusal(of: .block(BlockFrame(user: "alice"))) != nil)
    }
}
