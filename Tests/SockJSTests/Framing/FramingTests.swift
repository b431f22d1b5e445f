import NIOCore
import Testing

@testable import SockJS

/// The escaping and parsing rules every transport depends on, as plain values.
@Suite("SockJS framing and escaping")
struct FramingTests {
    static func literal(_ bytes: [UInt8], htmlSafe: Bool = false) -> String {
        var buffer = ByteBuffer()
        JSONStringEncoder.appendLiteral(bytes, to: &buffer, htmlSafe: htmlSafe)
        return String(buffer: buffer)
    }

    @Test("quotes, backslashes and control characters are escaped like JSON.stringify")
    func jsonEscapes() {
        #expect(Self.literal(Array("a\"b\\c\n\r\t\u{0}\u{1f}".utf8)) == #""a\"b\\c\n\r\t\u0000\u001f""#)
    }

    @Test("U+2028, U+2029 and the rest of the spec's escapable_by_server list are \\u-escaped in lowercase hex")
    func separatorsAndSpecials() {
        #expect(
            Self.literal(Array("\u{2028}\u{2029}\u{200c}\u{2060}\u{fff0}\u{ffff}".utf8))
                == #""\u2028\u2029\u200c\u2060\ufff0\uffff""#)
        // Ordinary non-ASCII passes through as UTF-8.
        #expect(Self.literal(Array("é日😀".utf8)) == "\"é日😀\"")
    }

    @Test("lone surrogates (WTF-8) are escaped, and invalid UTF-8 becomes U+FFFD")
    func surrogates() {
        #expect(Self.literal([0xED, 0xA0, 0x80]) == #""\ud800""#)
        #expect(Self.literal([0x61, 0xFF, 0x62]) == #""a\ufffdb""#)
    }

    @Test("htmlSafe escapes < > & so </script> cannot end a script block")
    func htmlSafe() {
        #expect(Self.literal(Array("</script>&".utf8), htmlSafe: true) == #""\u003c/script\u003e\u0026""#)
        let wrapped = TransportEnvelope.htmlFile(callback: "cb").wrap(
            .messages([ByteBuffer(string: "</script><script>alert(1)</script>")]))
        #expect(!String(buffer: wrapped).dropLast("</script>\r\n".count).contains("</script>"))
    }

    @Test("frames: o, h, a[...], c[code,\"reason\"]")
    func frames() {
        #expect(String(buffer: SockJSFrame.open.encoded) == "o")
        #expect(String(buffer: SockJSFrame.heartbeat.encoded) == "h")
        #expect(
            String(buffer: SockJSFrame.messages([ByteBuffer(string: "a"), ByteBuffer(string: "b\"")]).encoded)
                == #"a["a","b\""]"#)
        #expect(
            String(buffer: SockJSFrame.anotherConnectionOpen.encoded) == #"c[2010,"Another connection still open"]"#)
    }

    @Test("envelopes of each transport")
    func envelopes() {
        let frame = SockJSFrame.messages([ByteBuffer(string: "x")])
        #expect(String(buffer: TransportEnvelope.xhr.wrap(frame)) == "a[\"x\"]\n")
        #expect(String(buffer: TransportEnvelope.eventSource.wrap(frame)) == "data: a[\"x\"]\r\n\r\n")
        let percent = SockJSFrame.messages([ByteBuffer(string: "%41 100%")])
        #expect(String(buffer: TransportEnvelope.eventSource.wrap(percent)) == "data: a[\"%2541 100%25\"]\r\n\r\n")
        #expect(String(buffer: TransportEnvelope.jsonp(callback: "cb").wrap(frame)) == "/**/cb(\"a[\\\"x\\\"]\");\r\n")
        #expect(
            String(buffer: TransportEnvelope.htmlFile(callback: "cb").wrap(frame))
                == "<script>\np(\"a[\\\"x\\\"]\");\n</script>\r\n")
        #expect(TransportEnvelope.xhr.prelude.readableBytes == 2049)
        #expect(TransportEnvelope.htmlFile(callback: "cb").prelude.readableBytes > 1024)
    }

    @Test("callbacks: letters, digits, _ and dots only")
    func callbacks() {
        for valid in ["cb", "a.b.c", "_x9", "jQuery123.cb"] { #expect(TransportEnvelope.isValidCallback(valid[...])) }
        for invalid in ["", " ", "*", "abc(", "a-b", "a/b", "</script>"] {
            #expect(!TransportEnvelope.isValidCallback(invalid[...]))
        }
    }

    @Test("payloads: arrays of strings, escapes, surrogate pairs and lone surrogates")
    func decoding() throws {
        let decoded = try InboundPayloadDecoder.decode(
            Array(#" [ "a" , "\u00e9\n" , "\ud83d\ude00", "\udc00x", "%41" ] "#.utf8))
        #expect(
            decoded.map { Array($0.readableBytesView) } == [
                Array("a".utf8), Array("é\n".utf8), Array("😀".utf8), [0xED, 0xB0, 0x80, 0x78], Array("%41".utf8),
            ])
        #expect(try InboundPayloadDecoder.decode(Array("[]".utf8)).isEmpty)
        #expect(try InboundPayloadDecoder.decode(Array("\"single\"".utf8)).count == 1)
        for broken in ["[\"a", "", "[", "[1]", "[\"a\",]", "{}", "[\"a\"] x", "[\"\\x\"]", "\"single\""] {
            #expect(throws: InboundPayloadDecoder.BrokenJSON.self) {
                try InboundPayloadDecoder.decode(Array(broken.utf8), allowSingleString: false)
            }
        }
    }

    @Test("a lone surrogate survives decode then encode unchanged")
    func surrogateRoundTrip() throws {
        let decoded = try InboundPayloadDecoder.decode(Array(#"["\ud800 and \udfff"]"#.utf8))
        var out = ByteBuffer()
        SockJSFrame.messages(decoded).write(to: &out)
        #expect(String(buffer: out) == #"a["\ud800 and \udfff"]"#)
    }

    @Test("session paths: ids without dots, exactly three parts, known endpoints")
    func routes() {
        #expect(SockJSRoute(path: "") == .greeting)
        #expect(SockJSRoute(path: "/") == .greeting)
        #expect(SockJSRoute(path: "/info") == .info)
        #expect(SockJSRoute(path: "/iframe-0.1.2abc-dirty.2144.html") == .iframe)
        #expect(SockJSRoute(path: "/000/abc/xhr") == .session(server: "000", session: "abc", endpoint: .xhr))
        for bad in [
            "//", "/a/a", "/a/a/", "/a./a/xhr", "/a/a./xhr", "///xhr", "/iframe-/.html", "/IFRAME.HTML", "/a/b/c/xhr",
        ] {
            #expect(SockJSRoute(path: bad[...]) == .notFound, "\(bad)")
        }
    }
}
