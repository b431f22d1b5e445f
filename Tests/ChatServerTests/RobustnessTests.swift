import Foundation
import TestSupport
import Testing

/// Thousands of random and mutated frames against a live `rabbitchat serve` process: it never
/// crashes, answers every frame with a well-formed frame, stays usable, and its memory returns
/// near where it started.
@Suite("Robustness", .serialized, .timeLimit(.minutes(5)))
struct RobustnessTests {
    /// Three thousand frames by default, ~5 ms each against the debug server (most of it the
    /// reconnect after each invalid UTF-8 close); `RABBITCHAT_FUZZ_FRAMES` runs more.
    ///
    /// Frames once cost ~0.3 s each: about half the invalid UTF-8 closes lost their close frame
    /// and hung for the library's 5 s close timeout (WebSocketChatEndpoint's reader cancelled the
    /// writer mid-close). Asserting the 1007 on every one of them below keeps that from returning.
    static let frameCount = TestEnvironment.fuzzFrames ?? 3_000

    /// What one fuzz frame is, and so what the server must do with it.
    enum Input {
        /// A text frame of valid UTF-8: answered with frames, connection stays open.
        case text([UInt8])
        /// A binary frame: `unsupported_frame`, connection stays open.
        case binary([UInt8])
        /// A text frame that is not UTF-8: the server closes with 1007, after the frames it queued.
        case invalidUTF8([UInt8])
    }

    static let validFrames = [
        #"{"type":"hello","nick":"fuzzer"}"#,
        #"{"type":"join","room":"lobby","since":0}"#,
        #"{"type":"send","room":"lobby","text":"hello","cid":"c1"}"#,
        #"{"type":"send","to":"someone","text":"dm","cid":"c2"}"#,
        #"{"type":"typing","room":"lobby","state":"start"}"#,
        #"{"type":"read","room":"lobby","seq":1}"#,
        #"{"type":"history","room":"lobby","before":10,"limit":5}"#,
        #"{"type":"leave","room":"lobby"}"#,
        #"{"type":"ping","id":"x"}"#,
        #"{"type":"hello","nick":"fuzzer","resume":{"lobby":3}}"#,
    ]

    static func makeInput(_ rng: inout SplitMix64) -> Input {
        let base = Array(validFrames.randomElement(using: &rng)!.utf8)
        switch Int.random(in: 0..<12, using: &rng) {
        case 0:  // random printable and control characters
            let count = Int.random(in: 0..<200, using: &rng)
            return .text(
                Array(
                    String(
                        String.UnicodeScalarView(
                            (0..<count).map { _ in
                                Unicode.Scalar(UInt8.random(in: 0..<128, using: &rng))
                            })
                    ).utf8))
        case 1:  // byte-level mutations of a valid frame, kept valid UTF-8 or not
            var bytes = base
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let index = Int.random(in: 0..<max(bytes.count, 1), using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0 where !bytes.isEmpty: bytes[index] = UInt8.random(in: 0...255, using: &rng)
                case 1 where !bytes.isEmpty: bytes.remove(at: index)
                default: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: min(index, bytes.count))
                }
            }
            return String(validating: bytes, as: UTF8.self) == nil ? .invalidUTF8(bytes) : .text(bytes)
        case 2:  // deep nesting, under the 64 KiB frame limit
            let depth = Int.random(in: 100...10_000, using: &rng)
            let open = Bool.random(using: &rng) ? "[" : #"{"a":"#
            let close = open == "[" ? "]" : "}"
            return .text(
                Array((String(repeating: open, count: depth) + "1" + String(repeating: close, count: depth)).utf8))
        case 3:  // huge and odd numbers in numeric fields
            let number = [
                "1e400", "-1e400", "123456789012345678901234567890", "9223372036854775808", "-0", "1.5", "NaN",
                "0x10", "1e-400", String(repeating: "9", count: 5_000),
            ].randomElement(using: &rng)!
            let frame = [
                #"{"type":"history","room":"lobby","before":N,"limit":N}"#,
                #"{"type":"read","room":"lobby","seq":N}"#, #"{"type":"join","room":"lobby","since":N}"#,
                #"{"type":"ping","id":N}"#,
            ].randomElement(using: &rng)!
            return .text(Array(frame.replacingOccurrences(of: "N", with: number).utf8))
        case 4:  // wrong types for every field
            let value = ["1", "true", "null", "[]", "{}", #""s""#, "[1,2]", #"{"x":1}"#].randomElement(using: &rng)!
            let key = [
                "type", "room", "to", "text", "cid", "nick", "since", "seq", "before", "limit", "state", "resume",
            ]
            .randomElement(using: &rng)!
            let frame = String(decoding: base, as: UTF8.self)
            return .text(
                Array(frame.replacingOccurrences(of: "{", with: #"{"\#(key)":\#(value),"#, options: .anchored).utf8))
        case 5:  // control characters and odd Unicode inside strings
            let odd = [
                "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "\u{FEFF}", "\u{202E}", "\u{FFFF}", "\\u0000", "\\ud800", "\n",
                "\t",
            ]
            let text = (0..<Int.random(in: 1...20, using: &rng)).map { _ in odd.randomElement(using: &rng)! }.joined()
            return .text(Array(#"{"type":"send","room":"lobby","text":"\#(text)","cid":"u"}"#.utf8))
        case 6:  // binary frames where text is expected
            return .binary(
                (0..<Int.random(in: 0..<300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        case 7:  // invalid UTF-8 in a text frame: a truncated sequence, a byte never used, an
            // encoded surrogate, an overlong form, a lone continuation, a code point past U+10FFFF
            var bytes = base
            let invalid: [[UInt8]] = [
                [0xC3, 0x28], [0xFF], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0x80], [0xF4, 0x90, 0x80, 0x80],
            ]
            bytes.insert(contentsOf: invalid.randomElement(using: &rng)!, at: bytes.count / 2)
            return .invalidUTF8(bytes)
        case 8:  // truncated frames
            return .text(Array(base.prefix(Int.random(in: 0..<base.count, using: &rng))))
        case 9:  // not objects
            return .text(
                Array(
                    ["[]", "1", "\"s\"", "null", "true", "", " ", "{}", "{\"type\":null}"].randomElement(using: &rng)!
                        .utf8))
        case 10:  // long strings in every field (still under the 64 KiB frame limit)
            let long = String(repeating: "é", count: Int.random(in: 33...15_000, using: &rng))
            return .text(Array(#"{"type":"join","room":"\#(long)","cid":"\#(long)"}"#.utf8))
        default:  // a valid frame: handled normally
            return .text(base)
        }
    }

    /// Reads every frame up to the `pong` of `id`, checking each is a JSON object with a `type`,
    /// and every `error` has a string `code` and `message`.
    static func drainChecked(_ client: TestChatClient, pingID: String) async throws {
        try await client.send(["type": "ping", "id": pingID])
        for _ in 0..<10_000 {
            let frame = try await client.next(timeout: .seconds(30))
            let json = try #require(try? JSONSerialization.jsonObject(with: Data(frame.raw.utf8)) as? [String: Any])
            let type = try #require(json["type"] as? String, "frame without a type: \(frame.raw.prefix(200))")
            if type == "error" {
                #expect(
                    json["code"] is String && json["message"] is String, "malformed error: \(frame.raw.prefix(200))")
            }
            if type == "pong", json["id"] as? String == pingID { return }
        }
        Issue.record("no pong after 10000 frames")
    }

    /// Reads what the server queued before it closed for invalid UTF-8, checking each frame as
    /// `drainChecked` does; the close must be 1007 with its reason.
    static func expectInvalidUTF8Close(_ client: TestChatClient, pingID: String, frame index: Int) async throws {
        // A ping proves the server did not take the frame: its pong must never come. The send
        // fails once the client already saw the close, which is fine.
        try? await client.send(["type": "ping", "id": pingID])
        for _ in 0..<10_000 {
            switch await client.nextEvent(timeout: .seconds(30)) {
            case .frame(let frame)?:
                let json = try #require(try? JSONSerialization.jsonObject(with: Data(frame.raw.utf8)) as? [String: Any])
                let type = try #require(json["type"] as? String, "frame without a type: \(frame.raw.prefix(200))")
                if type == "error" {
                    #expect(
                        json["code"] is String && json["message"] is String, "malformed error: \(frame.raw.prefix(200))"
                    )
                }
                if type == "pong", json["id"] as? String == pingID {
                    Issue.record("frame \(index): invalid UTF-8 was accepted")
                    return
                }
            case .closed(let code)?:
                #expect(
                    code == 1007, "frame \(index): closed with \(code.map(String.init) ?? "no code") for invalid UTF-8")
                #expect(client.closeReason == "text frame is not valid UTF-8", "frame \(index)")
                return
            case nil:
                Issue.record("frame \(index): neither a close nor a frame within 30 s")
                return
            }
        }
        Issue.record("frame \(index): no close after 10000 frames")
    }

    @Test(
        "3,000 seeded random and mutated frames (RABBITCHAT_FUZZ_FRAMES for more): no crash, well-formed answers, 1007 for invalid UTF-8, memory back near baseline"
    )
    func fuzzLiveServer() async throws {
        let seed = TestEnvironment.fuzzSeed ?? 20_261_129
        var rng = SplitMix64(seed: seed)
        let server = try await ServerProcess.start(
            nodeID: "fuzz",
            arguments: [
                "--database-url", "memory:", "--rate-limit", "1000000", "--rate-limit-burst", "1000000",
                "--user-rate-limit", "1000000", "--user-rate-limit-burst", "1000000",
            ])
        defer { server.kill() }

        // Warm up, then take the baseline.
        var client = try await TestChatClient.connect(port: server.port, name: "fuzz")
        try await Self.drainChecked(client, pingID: "warm")
        let baseline = try #require(server.residentKiB)

        var closes = 0
        for index in 0..<Self.frameCount {
            let input = Self.makeInput(&rng)
            switch input {
            case .text(let bytes):
                try await client.sendTextBytes(bytes)
            case .binary(let bytes):
                try await client.sendBinary(bytes)
            case .invalidUTF8(let bytes):
                try await client.sendTextBytes(bytes)
                // The server validates text exactly as `String(validating:)` does (encoded
                // surrogates and overlong forms included), so every one of these closes.
                try await Self.expectInvalidUTF8Close(client, pingID: "u\(index)", frame: index)
                closes += 1
                client = try await TestChatClient.connect(port: server.port, name: "fuzz\(index)")
                continue
            }
            // Every 10 frames (and after each), a round trip proves the connection is usable.
            if index % 10 == 9 {
                try await Self.drainChecked(client, pingID: "p\(index)")
            }
            #expect(server.isRunning, "server died at frame \(index), seed \(seed)")
            if !server.isRunning { return }
        }
        try await Self.drainChecked(client, pingID: "end")
        await client.close()
        #expect(closes > 0, "the corpus included invalid UTF-8")

        // Memory: back near the baseline (allocator slack allowed), polled with a deadline.
        var resident = server.residentKiB ?? .max
        let deadline = ContinuousClock.now + .seconds(30)
        while resident > baseline + 48 * 1024, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            resident = server.residentKiB ?? .max
        }
        #expect(resident <= baseline + 48 * 1024, "RSS \(resident) KiB vs baseline \(baseline) KiB")
        #expect(server.isRunning)
        #expect(await server.terminate() == 0)
    }
}
