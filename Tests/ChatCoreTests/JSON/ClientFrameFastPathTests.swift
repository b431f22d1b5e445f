import Foundation
import NIOCore
import TestSupport
import Testing

@testable import ChatCore

@Suite("ClientFrameFastPath")
struct ClientFrameFastPathTests {
    /// What the `Codable` path makes of `json`: the frame, or nil when it refuses it.
    func codable(_ json: [UInt8]) -> ClientFrame? {
        try? ClientFrameDecoder().decodeWithCodable(json)
    }

    func fast(_ json: [UInt8]) -> ClientFrame? {
        json.withUnsafeBytes { ClientFrameFastPath.decode($0) }
    }

    /// A random JSON value of any kind, sometimes nested, sometimes of the wrong type.
    func value(using generator: inout SplitMix64, depth: Int = 0) -> String {
        switch Int.random(in: 0..<12, using: &generator) {
        case 0...4:
            var buffer = ByteBuffer()
            JSONWriter.writeString(RandomJSONText.string(using: &generator), to: &buffer)
            return String(buffer: buffer)
        case 5: return String(Int64.random(in: -1_000...1_000_000, using: &generator))
        case 6:
            return ["1.5", "1e3", "-0", "00", "9223372036854775808", "-9223372036854775808", "9223372036854775807"]
                .randomElement(using: &generator)!
        case 7: return "null"
        case 8: return Bool.random(using: &generator) ? "true" : "false"
        case 9: return depth > 1 ? "{}" : "{\"a\":\(value(using: &generator, depth: depth + 1))}"
        case 10:
            return ["\"\\ud83d\\ude00\"", "\"\\ud83d\"", "\"\\u00e9\\/\"", "\"\\x\"", "\"a\nb\""].randomElement(
                using: &generator)!
        default: return "[\(value(using: &generator, depth: depth + 1))]"
        }
    }

    /// A random frame: mostly the hot types with their fields, sometimes missing, extra,
    /// duplicated, mistyped or broken.
    func frame(using generator: inout SplitMix64) -> [UInt8] {
        let type = ["send", "typing", "read", "ping", "join", "\"send\""].randomElement(using: &generator)!
        var members = ["\"type\":\"\(type)\""]
        let keys = ["room", "to", "peer", "text", "cid", "state", "seq", "id", "extra", "type", "attachments"]
        for key in keys where Int.random(in: 0..<5, using: &generator) < 2 {
            let value: String =
                switch (key, Int.random(in: 0..<4, using: &generator)) {
                case ("state", 0...2): Bool.random(using: &generator) ? "\"start\"" : "\"stop\""
                case ("seq", 0...2): String(Int64.random(in: 0...100, using: &generator))
                case ("attachments", 0...2):
                    "["
                        + (0..<Int.random(in: 0...3, using: &generator)).map { _ in
                            var buffer = ByteBuffer()
                            JSONWriter.writeString(RandomJSONText.string(using: &generator), to: &buffer)
                            return String(buffer: buffer)
                        }.joined(separator: ",") + "]"
                case ("room", 0...2), ("to", 0...2), ("peer", 0...2), ("text", 0...2), ("cid", 0...2), ("id", 0...2):
                    {
                        var buffer = ByteBuffer()
                        JSONWriter.writeString(RandomJSONText.string(using: &generator), to: &buffer)
                        return String(buffer: buffer)
                    }()
                default: self.value(using: &generator)
                }
            members.append("\"\(key)\":\(value)")
        }
        members.shuffle(using: &generator)
        var json = "{" + members.joined(separator: Bool.random(using: &generator) ? "," : " ,\n ") + "}"
        switch Int.random(in: 0..<20, using: &generator) {
        case 0: json.removeLast()
        case 1: json += "x"
        case 2: json = " " + json + "\t"
        default: break
        }
        return Array(json.utf8)
    }

    @Test("on 10,000 random frames the fast path either agrees with Codable or leaves the frame to it")
    func agreesWithCodable() {
        var generator = SplitMix64(seed: 0xFA57_0001)
        var decidedFast = 0
        for _ in 0..<10_000 {
            let json = frame(using: &generator)
            let reference = codable(json)
            guard let fast = fast(json) else { continue }
            decidedFast += 1
            #expect(fast == reference, "\(String(decoding: json, as: UTF8.self))")
        }
        // The generator is built so the fast path has plenty to decide, not only to refuse.
        #expect(decidedFast > 500)
    }

    @Test("well-formed hot frames take the fast path with the values Codable gives")
    func hotFrames() {
        let frames = [
            #"{"type":"send","room":"lobby","text":"hi \"there\" \u00e9 😀","cid":"c1"}"#,
            #"{"type":"send","to":"bob","room":null,"text":"x","cid":"c2","extra":[1,2]}"#,
            #"{"type":"typing","room":"lobby","state":"start"}"#,
            #"{"type":"read","peer":"bob","seq":42}"#,
            #"{"type":"ping"}"#,
            #"{"type":"ping","id":"p1"}"#,
        ]
        // The second has a nested `extra`: the fast path leaves it to Codable.
        #expect(fast(Array(frames[1].utf8)) == nil)
        for json in frames where json != frames[1] {
            let bytes = Array(json.utf8)
            #expect(fast(bytes) != nil, "\(json)")
            #expect(fast(bytes) == codable(bytes), "\(json)")
        }
    }

    @Test(
        "`send.attachments` reaches the frame: an array goes to Codable, which reads the ids; null is absent on both paths"
    )
    func attachments() {
        let json = Array(#"{"type":"send","room":"lobby","text":"","cid":"c3","attachments":["a","b"]}"#.utf8)
        #expect(fast(json) == nil)
        #expect(
            codable(json) == .send(SendFrame(target: .room("lobby"), text: "", cid: "c3", attachments: ["a", "b"])))
        let absent = Array(#"{"type":"send","room":"lobby","text":"x","cid":"c4","attachments":null}"#.utf8)
        #expect(fast(absent) == .send(SendFrame(target: .room("lobby"), text: "x", cid: "c4")))
        #expect(fast(absent) == codable(absent))
        #expect(codable(Array(#"{"type":"send","room":"a","text":"x","cid":"c","attachments":[1]}"#.utf8)) == nil)
    }

    @Test("frames Codable refuses are never accepted by the fast path")
    func refusals() {
        for json in [
            #"{"type":"send","room":"a","to":"b","text":"x","cid":"c"}"#, #"{"type":"send","text":"x","cid":"c"}"#,
            #"{"type":"send","room":"a","text":"x"}"#, #"{"type":"send","room":"a","text":5,"cid":"c"}"#,
            #"{"type":"typing","room":"a","state":"maybe"}"#, #"{"type":"read","room":"a","seq":"1"}"#,
            #"{"type":"read","room":"a","seq":1.5}"#, #"{"type":"ping","id":5}"#, #"[1]"#, #"{"type":"send""#,
            "{\"type\":\"send\",\"room\":\"a\",\"text\":\"\u{1}\",\"cid\":\"c\"}",
        ] {
            #expect(fast(Array(json.utf8)) == nil, "\(json)")
            #expect(codable(Array(json.utf8)) == nil, "\(json)")
        }
    }
}
