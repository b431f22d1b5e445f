import TestSupport
import Testing

@testable import ChatCore

@Suite("UploadSniffer")
struct UploadSnifferTests {
    /// Feeds `bytes` in pieces of `piece` bytes; returns whether every feed was accepted and the
    /// verdict.
    func sniff(_ bytes: [UInt8], piece: Int = 4_096) -> (accepted: Bool, type: UploadContentType?) {
        var sniffer = UploadSniffer()
        var accepted = true
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + piece, bytes.count)
            if !sniffer.feed(bytes[offset..<end]) { accepted = false }
            offset = end
        }
        return (accepted, accepted ? sniffer.finish() : nil)
    }

    static let padding = [UInt8](repeating: 0, count: 2_000)

    @Test("each allowed format is told by its magic number, whatever follows")
    func magicNumbers() {
        var tar = [UInt8](repeating: 0, count: 1_024)
        tar.replaceSubrange(0..<8, with: Array("file.txt".utf8))
        tar.replaceSubrange(257..<263, with: Array("ustar\0".utf8))
        let cases: [(UploadContentType, [UInt8])] = [
            (.png, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Self.padding),
            (.jpeg, [0xFF, 0xD8, 0xFF, 0xE0] + Self.padding),
            (.gif, Array("GIF89a".utf8) + Self.padding),
            (.gif, Array("GIF87a".utf8) + Self.padding),
            (.webp, Array("RIFF".utf8) + [0x24, 0, 0, 0] + Array("WEBPVP8 ".utf8) + Self.padding),
            (.pdf, Array("%PDF-1.7\n".utf8) + Self.padding),
            (.zip, [0x50, 0x4B, 0x03, 0x04] + Self.padding),
            (.zip, [0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18)),
            (.gzip, [0x1F, 0x8B, 0x08, 0x00] + Self.padding),
            (.sevenZip, [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C] + Self.padding),
            (.tar, tar),
        ]
        for (type, bytes) in cases {
            for piece in [1, 7, 4_096] {
                let result = sniff(bytes, piece: piece)
                #expect(result.accepted && result.type == type, "\(type) in pieces of \(piece)")
            }
        }
    }

    @Test("an executable is refused as soon as the head is in, whatever its name would say")
    func executables() {
        let elf = [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00] + Self.padding
        var sniffer = UploadSniffer()
        let first = sniffer.feed(elf[0..<100])
        #expect(first, "the head is not complete yet")
        let second = sniffer.feed(elf[100..<600])
        #expect(!second, "refused once 512 bytes are in")
        #expect(sniff(Array(elf.prefix(64))).type == nil, "a short one is refused at the end")
        let windows = Array("MZ".utf8) + [0x90, 0x00] + Self.padding
        #expect(!sniff(windows).accepted)
        let script = Array("#!/bin/sh\nrm -rf /\n".utf8)
        #expect(sniff(script).type == .text, "a script is text: served as text/plain attachment, never run")
    }

    @Test("text is valid UTF-8 without NUL, checked over the whole file, split anywhere")
    func text() {
        let words = Array("Grüße aus 東京 🎉 — plain text\n".utf8)
        for piece in 1...6 {
            #expect(sniff(words, piece: piece).type == .text, "split every \(piece) bytes")
        }
        let long = [UInt8](repeating: UInt8(ascii: "a"), count: 10_000)
        #expect(
            sniff(long + [0xC3, 0x28]).accepted == false, "invalid UTF-8 after the head is refused when it arrives")
        #expect(sniff(long + [0]).accepted == false, "a NUL anywhere is not text")
        #expect(
            sniff(Array("ends mid character ".utf8) + [0xE6, 0x9D]).type == nil, "a truncated character is not text")
        #expect(sniff([0xED, 0xA0, 0x80]).type == nil, "an encoded surrogate is not UTF-8")
        #expect(sniff([0xC0, 0xAF]).type == nil, "an overlong encoding is not UTF-8")
        #expect(sniff([0xF4, 0x90, 0x80, 0x80]).type == nil, "beyond U+10FFFF is not UTF-8")
        #expect(sniff([]).type == nil, "an empty file is no type")
    }

    @Test("the UTF-8 check agrees with the standard library's on random bytes")
    func randomUTF8() {
        var generator = SplitMix64(seed: 0xF11E)
        for _ in 0..<5_000 {
            let count = Int.random(in: 1...12, using: &generator)
            let bytes = (0..<count).map { _ in
                Bool.random(using: &generator)
                    ? UInt8.random(in: 0x80...0xFF, using: &generator)
                    : UInt8.random(in: 0x01...0x7F, using: &generator)
            }
            var validator = UTF8Validator()
            for byte in bytes { validator.feed(byte) }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            #expect((validator.isValid && validator.isComplete) == expected, "\(bytes)")
        }
    }

    @Test("file names are cleaned: last path part, no control characters or quotes, bounded")
    func names() {
        #expect(Upload.cleanName("../../etc/passwd") == "passwd")
        #expect(Upload.cleanName("C:\\Users\\me\\cat.png") == "cat.png")
        #expect(Upload.cleanName("a\"b\r\nc.txt") == "abc.txt")
        #expect(Upload.cleanName("") == "file")
        #expect(Upload.cleanName("..") == "file")
        #expect(Upload.cleanName("\u{202E}gnp.exe") == "gnp.exe", "no bidi override to disguise an extension")
        #expect(Upload.cleanName(String(repeating: "é", count: 500)).count == Upload.maxNameLength)
        #expect(Upload.isValidID("0f8fad5b-d9cb-469f-a165-70867728950e"))
        #expect(!Upload.isValidID("0F8FAD5B-D9CB-469F-A165-70867728950E"))
        #expect(!Upload.isValidID("../0f8fad5b-d9cb-469f-a165-70867728950"))
    }
}
