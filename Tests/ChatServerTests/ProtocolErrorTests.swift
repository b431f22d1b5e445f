import Foundation
import Testing

/// Every malformed or forbidden frame gets an `error` with a stable code, and the connection
/// keeps working afterwards.
@Suite("Protocol errors over /ws", .timeLimit(.minutes(2)))
struct ProtocolErrorTests {
    /// Sends `raw` and expects an `error` with `code`, then proves the connection still works.
    static func expectError(
        _ client: TestChatClient, raw: String, code: String, mentioning: String? = nil, cid: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await client.sendRaw(raw)
        let error = try await client.expect("error", skipping: ["presence"])
        #expect(error.string("code") == code, "\(raw) → \(error)", sourceLocation: sourceLocation)
        if let mentioning {
            #expect(
                error.string("message")?.contains(mentioning) == true, "\(error) should mention \(mentioning)",
                sourceLocation: sourceLocation)
        }
        if let cid {
            #expect(error.string("cid") == cid, sourceLocation: sourceLocation)
        }
        // Still usable: a ping round-trips.
        let extra = try await client.sync()
        #expect(extra.filter { $0.type != "presence" }.isEmpty, "nothing else answered \(raw): \(extra)", sourceLocation: sourceLocation)
    }

    @Test("malformed frames before hello")
    func beforeHello() async throws {
        try await TestServer.with { port, _ in
            let client = try await TestChatClient.connect(port: port)
            try await Self.expectError(client, raw: "hello there", code: "bad_json")
            try await Self.expectError(client, raw: "[1,2,3]", code: "bad_json", mentioning: "object")
            try await Self.expectError(client, raw: #"{"nick":"x"}"#, code: "invalid_field", mentioning: "type")
            try await Self.expectError(client, raw: #"{"type":42}"#, code: "invalid_field", mentioning: "type")
            try await Self.expectError(client, raw: #"{"type":"dance"}"#, code: "unknown_type", mentioning: "dance")
            try await Self.expectError(client, raw: #"{"type":"join","room":"lobby"}"#, code: "not_identified")
            try await Self.expectError(
                client, raw: #"{"type":"send","room":"lobby","text":"x","cid":"c9"}"#, code: "not_identified", cid: "c9")
            try await Self.expectError(client, raw: #"{"type":"hello","nick":"bad nick!"}"#, code: "invalid_name")
            try await Self.expectError(
                client, raw: #"{"type":"hello","nick":"\#(String(repeating: "a", count: 33))"}"#, code: "invalid_name")
            try await Self.expectError(client, raw: #"{"type":"hello","nick":7}"#, code: "invalid_field", mentioning: "nick")
            try await client.sendBinary([1, 2, 3])
            let binary = try await client.expect("error")
            #expect(binary.string("code") == "unsupported_frame")
            // And after all that, hello still works.
            try await client.hello("survivor")
            await client.close()
        }
    }

    @Test("malformed and forbidden frames after hello")
    func afterHello() async throws {
        try await TestServer.with { port, _ in
            let client = try await TestChatClient.connect(port: port)
            try await client.hello("alice")
            try await Self.expectError(client, raw: #"{"type":"hello","nick":"alice2"}"#, code: "already_identified")
            try await Self.expectError(client, raw: #"{"type":"join"}"#, code: "invalid_field", mentioning: "room")
            try await Self.expectError(client, raw: #"{"type":"join","room":5}"#, code: "invalid_field", mentioning: "room")
            try await Self.expectError(client, raw: #"{"type":"join","room":"no spaces"}"#, code: "invalid_room")
            try await Self.expectError(client, raw: #"{"type":"join","room":"a.b"}"#, code: "invalid_room")
            try await Self.expectError(client, raw: #"{"type":"join","room":"ok","since":-1}"#, code: "invalid_field")
            try await Self.expectError(
                client, raw: #"{"type":"send","room":"lobby","text":"hi","cid":"c1"}"#, code: "not_member", cid: "c1")
            try await client.join("lobby")
            try await Self.expectError(client, raw: #"{"type":"join","room":"lobby"}"#, code: "already_joined")
            try await Self.expectError(
                client, raw: #"{"type":"send","room":"lobby","text":"hi"}"#, code: "invalid_field", mentioning: "cid")
            try await Self.expectError(
                client, raw: #"{"type":"send","room":"lobby","text":3,"cid":"c2"}"#, code: "invalid_field",
                mentioning: "text", cid: "c2")
            try await Self.expectError(
                client, raw: #"{"type":"send","room":"lobby","to":"bob","text":"x","cid":"c3"}"#, code: "invalid_field",
                mentioning: "exactly one", cid: "c3")
            try await Self.expectError(
                client, raw: #"{"type":"send","room":"lobby","text":"","cid":"c4"}"#, code: "empty_text", cid: "c4")
            let long = String(repeating: "é", count: 4001)
            try await Self.expectError(
                client, raw: #"{"type":"send","room":"lobby","text":"\#(long)","cid":"c5"}"#, code: "text_too_long",
                mentioning: "4000", cid: "c5")
            try await Self.expectError(
                client, raw: #"{"type":"send","to":"ghost","text":"boo","cid":"c6"}"#, code: "user_offline", cid: "c6")
            try await Self.expectError(
                client, raw: #"{"type":"send","to":"bad name","text":"boo","cid":"c7"}"#, code: "invalid_name", cid: "c7")
            try await Self.expectError(client, raw: #"{"type":"read","room":"lobby","seq":5}"#, code: "invalid_seq")
            try await Self.expectError(client, raw: #"{"type":"read","room":"lobby","seq":1e40}"#, code: "invalid_field")
            try await Self.expectError(client, raw: #"{"type":"typing","room":"lobby","state":"dancing"}"#, code: "invalid_field")
            try await Self.expectError(client, raw: #"{"type":"leave","room":"elsewhere"}"#, code: "not_member")
            try await Self.expectError(client, raw: #"{"type":"history","room":"lobby","limit":0}"#, code: "invalid_field")

            // A text of exactly 4000 scalars is fine, and the session still sends normally.
            let maximal = String(repeating: "x", count: 4000)
            try await client.send(["type": "send", "room": "lobby", "text": maximal, "cid": "ok"])
            let ack = try await client.expect("ack", skipping: ["message"])
            #expect(ack.int("seq") == 1)
            await client.close()
        }
    }

    @Test("a nickname already online is refused; it is free again once its owner leaves")
    func nickTaken() async throws {
        try await TestServer.with { port, _ in
            let first = try await TestChatClient.connect(port: port, name: "first")
            try await first.hello("alice")
            let second = try await TestChatClient.connect(port: port, name: "second")
            try await Self.expectError(second, raw: #"{"type":"hello","nick":"alice"}"#, code: "nick_taken")
            await first.close()
            // The nick frees up once the first session is gone.
            var welcomed = false
            for _ in 0..<50 where !welcomed {
                try await second.send(["type": "hello", "nick": "alice"])
                let frame = try await second.next()
                welcomed = frame.type == "welcome"
                if !welcomed { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(welcomed)
            await second.close()
        }
    }

    @Test("an oversize frame closes the connection with 1009")
    func oversizeFrame() async throws {
        try await TestServer.with { port, _ in
            let client = try await TestChatClient.connect(port: port)
            try await client.hello("big")
            let huge = String(repeating: "x", count: 70 * 1024)
            try await client.sendRaw(#"{"type":"send","room":"lobby","text":"\#(huge)","cid":"c"}"#)
            let code = try await client.expectClose()
            #expect(code == 1009)
        }
    }
}
