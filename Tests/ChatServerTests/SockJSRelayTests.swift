import NIOCore
import SockJS
import Testing

@testable import ChatServer

/// The SockJS relay's wire pieces as plain values (the relay itself runs in MultiNodeSockJSTests).
@Suite("SockJS relay envelope and topics")
struct SockJSRelayTests {
    @Test("an envelope and its body round-trip byte-exactly, lone-surrogate WTF-8 included")
    func envelopeRoundTrip() throws {
        var envelope = RelayEnvelope(kind: .request, id: "r1")
        envelope.origin = "n0"
        envelope.session = "abc"
        envelope.method = "POST"
        envelope.path = "/sockjs/000/abc/xhr_send"
        envelope.headers = [SockJSHeaderField(name: "Cookie", value: "JSESSIONID=x")]
        let body = ByteBuffer(bytes: Array(#"["\ud800 </script> %41"]"#.utf8) + [0xED, 0xA0, 0x80])
        let (decoded, decodedBody) = try RelayEnvelope.decode(envelope.encoded(body: body))
        #expect(decoded == envelope)
        #expect(decodedBody == body)

        var head = RelayEnvelope(kind: .head, id: "r1")
        head.head = SockJSResponseHead(
            status: 204, headers: [SockJSHeaderField(name: "Content-Type", value: "text/plain")])
        #expect(try RelayEnvelope.decode(head.encoded()).0 == head)
    }

    @Test("a truncated or garbled envelope is a decoding error, not a crash")
    func badEnvelope() {
        #expect(throws: RelayEnvelope.DecodingError.self) { try RelayEnvelope.decode(ByteBuffer(bytes: [0, 0])) }
        #expect(throws: RelayEnvelope.DecodingError.self) {
            try RelayEnvelope.decode(ByteBuffer(bytes: [0, 0, 0, 9, 1, 2]))
        }
        var garbled = ByteBuffer()
        garbled.writeInteger(UInt32(3))
        garbled.writeString("{x}")
        #expect(throws: RelayEnvelope.DecodingError.self) { try RelayEnvelope.decode(garbled) }
    }

    @Test("session keys are hex, so wildcards in client-chosen ids stay literal; overlong ids are not forwarded")
    func topics() {
        #expect(RelayTopic.session("a*#") == "sockjs.session.612a23")
        #expect(RelayTopic.session("") == nil)
        #expect(RelayTopic.session(String(repeating: "x", count: RelayTopic.maxSessionBytes)) != nil)
        #expect(RelayTopic.session(String(repeating: "x", count: RelayTopic.maxSessionBytes + 1)) == nil)
        #expect(RelayTopic.node("n1") == "node.n1.sockjs")
        #expect(RelayTopic.isRelay("sockjs.session.61"))
        #expect(RelayTopic.isRelay("node.n1.sockjs"))
        #expect(!RelayTopic.isRelay("room.lobby.msg"))
        #expect(!RelayTopic.isRelay("cluster.announce"))
    }
}
