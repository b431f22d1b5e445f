import ChatCore
import Testing

@Suite("ClientFrameDecoder")
struct ClientFrameDecoderTests {
    let decoder = ClientFrameDecoder()

    func decode(_ text: String) throws(ProtocolError) -> ClientFrame {
        try decoder.decode(Array(text.utf8))
    }

    func refusal(_ text: String) -> ProtocolError? {
        do {
            _ = try decode(text)
            return nil
        } catch {
            return error
        }
    }

    @Test("decodes every client frame type")
    func decodesEveryType() throws {
        #expect(try decode(#"{"type":"hello","nick":"al"}"#) == .hello(HelloFrame(nick: "al")))
        #expect(
            try decode(#"{"type":"hello","nick":"al","resume":{"lobby":4}}"#)
                == .hello(HelloFrame(nick: "al", resume: ["lobby": 4])))
        #expect(try decode(#"{"type":"join","room":"r","since":3}"#) == .join(JoinFrame(room: "r", since: 3)))
        #expect(try decode(#"{"type":"leave","room":"r"}"#) == .leave(LeaveFrame(room: "r")))
        #expect(try decode(#"{"type":"bye"}"#) == .bye)
        #expect(
            try decode(#"{"type":"send","room":"r","text":"hi","cid":"1"}"#)
                == .send(SendFrame(target: .room("r"), text: "hi", cid: "1")))
        #expect(
            try decode(#"{"type":"send","to":"bob","text":"hi","cid":"1"}"#)
                == .send(SendFrame(target: .user("bob"), text: "hi", cid: "1")))
        #expect(
            try decode(#"{"type":"typing","to":"bob","state":"stop"}"#)
                == .typing(TypingFrame(target: .user("bob"), state: .stop)))
        #expect(try decode(#"{"type":"read","peer":"bob","seq":2}"#) == .read(ReadFrame(target: .user("bob"), seq: 2)))
        #expect(
            try decode(#"{"type":"history","room":"r","before":9,"limit":5}"#)
                == .history(HistoryRequestFrame(target: .room("r"), before: 9, limit: 5)))
        #expect(try decode(#"{"type":"ping","id":"x"}"#) == .ping(PingFrame(id: "x")))
        // Unknown fields are ignored, so clients can add metadata without breaking old servers.
        #expect(try decode(#"{"type":"ping","extra":[1,2]}"#) == .ping(PingFrame(id: nil)))
    }

    @Test("refusals name the problem and carry cid and ref")
    func refusals() {
        #expect(refusal("nope")?.code == .badJSON)
        #expect(refusal("")?.code == .badJSON)
        #expect(refusal("\"just a string\"")?.code == .badJSON)
        #expect(refusal("[]")?.message.contains("object") == true)
        #expect(refusal("{}")?.message == "missing field `type`")
        #expect(refusal(#"{"type":null}"#)?.code == .invalidField)
        #expect(
            refusal(#"{"type":"teleport","cid":"z"}"#)
                == ProtocolError(.unknownType, "unknown frame type `teleport`", cid: "z"))
        let missing = refusal(#"{"type":"send","room":"r","cid":"c1"}"#)
        #expect(missing?.code == .invalidField)
        #expect(missing?.message == "missing field `text`")
        #expect(missing?.cid == "c1")
        #expect(missing?.ref == "send")
        #expect(refusal(#"{"type":"join","room":["r"]}"#)?.message == "field `room` must be a string")
        #expect(refusal(#"{"type":"read","room":"r","seq":"1"}"#)?.message == "field `seq` must be an integer")
        #expect(refusal(#"{"type":"read","room":"r","seq":1.5}"#)?.code == .invalidField)
        #expect(refusal(#"{"type":"read","room":"r","seq":99999999999999999999999}"#)?.code == .invalidField)
        #expect(
            refusal(#"{"type":"send","text":"x","cid":"c"}"#)?.message.contains("exactly one of `room` or `to`") == true
        )
        #expect(refusal(#"{"type":"typing","room":"r","state":"maybe"}"#)?.code == .invalidField)
        #expect(refusal(#"{"type":"hello","resume":{"r":"x"}}"#)?.code == .invalidField)
        // Invalid UTF-8 is refused, not crashed on.
        do {
            _ = try decoder.decode([0x7B, 0xFF, 0xFE, 0x7D])
            Issue.record("invalid UTF-8 was accepted")
        } catch {
            #expect(error.code == .badJSON)
        }
    }
}
