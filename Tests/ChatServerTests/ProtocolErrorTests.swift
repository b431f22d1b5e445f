import ChatCore
import ChatServer
import Foundation
import NIOCore
import NIOWebSocket
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
        #expect(
            extra.filter { $0.type != "presence" }.isEmpty, "nothing else answered \(raw): \(extra)",
            sourceLocation: sourceLocation)
    }

    @Test("malformed frames before hello")
    func beforeHello() async throws {
        // Not about the hello timeout (InboundLimitsTests): on a loaded machine these dozen
        // round trips before hello have taken longer than its 10 s.
        var configuration = ServerConfigurationFactory.make()
        configuration.inbound.helloTimeout = .zero
        try await TestServer.with(configuration) { port, _ in
            let client = try await TestChatClient.connect(port: port)
            try await Self.expectError(client, raw: "hello there", code: "bad_json")
            try await Self.expectError(client, raw: "[1,2,3]", code: "bad_json", mentioning: "object")
            try await Self.expectError(client, raw: #"{"nick":"x"}"#, code: "invalid_field", mentioning: "type")
            try await Self.expectError(client, raw: #"{"type":42}"#, code: "invalid_field", mentioning: "type")
            try await Self.expectError(client, raw: #"{"type":"dance"}"#, code: "unknown_type", mentioning: "dance")
            try await Self.expectError(client, raw: #"{"type":"join","room":"lobby"}"#, code: "not_identified")
            try await Self.expectError(
                client, raw: #"{"type":"send","room":"lobby","text":"x","cid":"c9"}"#, code: "not_identified", cid: "c9"
            )
            try await Self.expectError(client, raw: #"{"type":"hello","nick":"bad nick!"}"#, code: "invalid_name")
            try await Self.expectError(
                client, raw: #"{"type":"hello","nick":"\#(String(repeating: "a", count: 33))"}"#, code: "invalid_name")
            try await Self.expectError(
                client, raw: #"{"type":"hello","nick":7}"#, code: "invalid_field", mentioning: "nick")
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
        // About 45 frames, each error followed by a ping: more than the default burst of 40, so on
        // a fast run the last ones were `rate_limited`. Rate limits are InboundLimitsTests' job.
        var configuration = ServerConfiguration()
        configuration.inbound.connectionBurst = 1_000
        try await TestServer.with(configuration) { port, _ in
            let client = try await TestChatClient.connect(port: port)
            try await client.hello("alice")
            try await Self.expectError(client, raw: #"{"type":"hello","nick":"alice2"}"#, code: "already_identified")
            try await Self.expectError(client, raw: #"{"type":"join"}"#, code: "invalid_field", mentioning: "room")
            try await Self.expectError(
                client, raw: #"{"type":"join","room":5}"#, code: "invalid_field", mentioning: "room")
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
                client, raw: #"{"type":"send","to":"bad name","text":"boo","cid":"c7"}"#, code: "invalid_name",
                cid: "c7")
            try await Self.expectError(client, raw: #"{"type":"read","room":"lobby","seq":5}"#, code: "invalid_seq")
            try await Self.expectError(
                client, raw: #"{"type":"read","room":"lobby","seq":1e40}"#, code: "invalid_field")
            try await Self.expectError(
                client, raw: #"{"type":"typing","room":"lobby","state":"dancing"}"#, code: "invalid_field")
            try await Self.expectError(client, raw: #"{"type":"leave","room":"elsewhere"}"#, code: "not_member")
            try await Self.expectError(
                client, raw: #"{"type":"history","room":"lobby","limit":0}"#, code: "invalid_field")

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

    @Test("invalid UTF-8 in a text frame closes that connection with 1007 and a reason; others carry on")
    func invalidUTF8() async throws {
        // The offender's leave is posted at once: the presence grace is PresenceGraceTests' subject.
        var configuration = ServerConfiguration()
        configuration.presenceGrace = .zero
        try await TestServer.with(configuration) { port, _ in
            let bystander = try await TestChatClient.connect(port: port, name: "bystander")
            try await bystander.hello("bystander")
            try await bystander.join("lobby")
            let offender = try await TestChatClient.connect(port: port, name: "offender")
            try await offender.hello("offender")
            try await offender.join("lobby")
            // A frame the server answered just before is still delivered ahead of the close.
            try await offender.send(["type": "ping", "id": "before"])
            try await offender.sendTextBytes(Array(#"{"type":"ping","id":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8))
            var sawPong = false
            while case .frame(let frame)? = await offender.nextEvent() {
                if frame.type == "pong", frame.string("id") == "before" { sawPong = true }
            }
            #expect(sawPong)
            let code = try await offender.expectClose()
            #expect(code == 1007)
            #expect(offender.closeReason == "text frame is not valid UTF-8")
            // The bystander sees the offender leave and keeps chatting.
            var left = try await bystander.expect("presence", skipping: ["typing", "receipt"])
            while left.string("event") != "leave" {
                left = try await bystander.expect("presence", skipping: ["typing", "receipt"])
            }
            #expect(left.string("user") == "offender")
            try await bystander.send(["type": "send", "room": "lobby", "text": "still here", "cid": "c1"])
            _ = try await bystander.expect("ack", skipping: ["presence", "message"])
            #expect(try await bystander.sync().allSatisfy { $0.type != "error" })
            await bystander.close()
        }
    }

    @Test("a text message fragmented inside a multi-byte character is one valid message")
    func fragmentedUTF8() async throws {
        try await TestServer.with { port, _ in
            let client = try await TestChatClient.connect(port: port)
            let bytes = Array(#"{"type":"ping","id":"zoë"}"#.utf8)
            let split = try #require(bytes.firstIndex(of: 0xC3)) + 1  // between the two bytes of "ë"
            try await client.sendFrame(
                WebSocketFrame(fin: false, opcode: .text, data: ByteBuffer(bytes: bytes[..<split])))
            try await client.sendFrame(
                WebSocketFrame(fin: true, opcode: .continuation, data: ByteBuffer(bytes: bytes[split...])))
            let pong = try await client.expect("pong")
            #expect(pong.string("id") == "zoë")
            await client.close()
        }
    }

    @Test("a continuation frame with no message to continue closes with 1002")
    func strayContinuation() async throws {
        try await TestServer.with { port, _ in
            let client = try await TestChatClient.connect(port: port)
            try await client.sendFrame(WebSocketFrame(fin: true, opcode: .continuation, data: ByteBuffer(string: "{}")))
            #expect(try await client.expectClose() == 1002)
            #expect(client.closeReason == "unexpected continuation frame")
        }
    }
}
