import ChatCore
import ChatServer
import ChatStore
import Foundation
import Synchronization
import TestSupport
import Testing

/// Files over HTTP on a real server, on SQLite and PostgreSQL: `POST /api/uploads`, `send`
/// with `attachments`, `GET /api/files/:id` with its access rule, ranges and ETags, the limits
/// (size, quota, rate, type by content), and the collection of uploads no message carries.
@Suite("Uploads over /api", .timeLimit(.minutes(3)))
struct UploadsAPITests {
    static func withServer(
        _ database: TestDatabase, configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable @escaping (_ port: Int, _ location: TestDatabase.Location) async throws -> Void
    ) async throws {
        var configuration = ServerConfigurationFactory.make()
        configure(&configuration)
        let settings = configuration
        try await database.with { location in
            try await TestServer.with(settings, store: try location.open()) { port, _ in try await body(port, location)
            }
        }
    }

    static func bearer(_ token: String?) -> [String: String] { token.map { ["Authorization": "Bearer \($0)"] } ?? [:] }

    /// A PNG signature and `count` more pseudo-random bytes: sniffed as PNG, big enough to span
    /// several blob chunks.
    static func png(_ count: Int = 600_000, seed: UInt64 = 1) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    static func upload(
        _ port: Int, _ bytes: [UInt8], name: String = "photo.png", token: String?, chunked: Bool = false,
        headers: [String: String] = [:], query: String = ""
    ) async throws -> HTTP.BytesResponse {
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "x"
        return try await HTTP.bytesRequest(
            "POST", port: port, path: "/api/uploads?name=\(encoded)\(query)", body: bytes, chunked: chunked,
            headers: bearer(token).merging(headers) { $1 })
    }

    static func uploadID(
        _ port: Int, _ bytes: [UInt8], name: String = "photo.png", token: String
    ) async throws -> String {
        let response = try await upload(port, bytes, name: name, token: token)
        #expect(response.status == 201, "\(String(decoding: response.body, as: UTF8.self))")
        return try #require(response["id"] as? String)
    }

    static func download(
        _ port: Int, _ id: String, token: String?, headers: [String: String] = [:]
    ) async throws
        -> HTTP.BytesResponse
    {
        try await HTTP.bytesRequest(
            "GET", port: port, path: "/api/files/\(id)", headers: bearer(token).merging(headers) { $1 })
    }

    @Test(
        "upload, send as a DM attachment, download: the uploader and the peer get the bytes; anyone else a plain 404",
        arguments: await TestDatabase.available)
    func uploadSendDownload(database: TestDatabase) async throws {
        try await Self.withServer(database) { port, _ in
            let alice = try await AccountTestClient.register(port: port, "alice")
            let bob = try await AccountTestClient.register(port: port, "bob")
            let carol = try await AccountTestClient.register(port: port, "carol")
            let bytes = Self.png()
            let created = try await Self.upload(port, bytes, name: "../Holiday \"photo\".exe.png", token: alice)
            #expect(created.status == 201)
            let id = try #require(created["id"] as? String)
            #expect(created["name"] as? String == "Holiday photo.exe.png", "the name is cleaned, never a path")
            #expect(created["type"] as? String == "image/png")
            #expect(created["size"] as? Int == bytes.count)

            // Before any message carries it: its uploader only.
            #expect(try await Self.download(port, id, token: alice).body == bytes)
            for token in [bob, carol, nil] as [String?] {
                let refused = try await Self.download(port, id, token: token)
                #expect(refused.status == 404 && refused.errorCode == "not_found")
            }

            let sender = try await TestChatClient.connect(port: port, name: "alice")
            defer { Task { await sender.close() } }
            try await sender.hello(token: alice)
            let receiver = try await TestChatClient.connect(port: port, name: "bob")
            defer { Task { await receiver.close() } }
            try await receiver.hello(token: bob)
            try await sender.send(["type": "send", "to": "bob", "text": "", "cid": "f1", "attachments": [id]])
            let ack = try await sender.expect("ack", skipping: ["presence", "typing", "receipt", "message", "status"])
            #expect(ack.string("cid") == "f1")
            let message = try await receiver.expect("message", skipping: ["presence", "typing", "receipt", "status"])
            let attachments = try #require(message["attachments"] as? [[String: Any]])
            #expect(attachments.count == 1)
            #expect(attachments.first?["id"] as? String == id)
            #expect(attachments.first?["name"] as? String == "Holiday photo.exe.png")
            #expect(attachments.first?["type"] as? String == "image/png")
            #expect(attachments.first?["size"] as? Int == bytes.count)

            let history = try await receiver.sendAndExpectHistory(peer: "alice")
            #expect(
                (history.first?["attachments"] as? [[String: Any]])?.first?["id"] as? String == id,
                "history carries it too")

            let fetched = try await Self.download(port, id, token: bob)
            #expect(fetched.status == 200)
            #expect(fetched.body == bytes)
            #expect(fetched.headers["content-type"] == "image/png")
            #expect(fetched.headers["content-disposition"]?.hasPrefix("inline;") == true)
            #expect(fetched.headers["x-content-type-options"] == "nosniff")
            #expect(fetched.headers["content-security-policy"]?.contains("sandbox") == true)
            for token in [carol, nil] as [String?] {
                let refused = try await Self.download(port, id, token: token)
                #expect(
                    refused.status == 404 && refused.errorCode == "not_found", "not a party: no hint the file exists")
            }
            #expect(try await Self.download(port, UUID().uuidString.lowercased(), token: bob).status == 404)
            #expect(try await Self.download(port, "..%2F..%2Fetc%2Fpasswd", token: bob).status == 404)
        }
    }

    @Test(
        "send refuses attachments that are not the sender's, unknown, malformed or too many, with specific codes",
        arguments: await TestDatabase.available)
    func sendRefusals(database: TestDatabase) async throws {
        try await Self.withServer(database) { port, _ in
            let alice = try await AccountTestClient.register(port: port, "alice")
            let bob = try await AccountTestClient.register(port: port, "bob")
            let bobs = try await Self.uploadID(port, Self.png(100), token: bob)
            let own = try await Self.uploadID(port, Self.png(100, seed: 2), token: alice)
            let client = try await TestChatClient.connect(port: port, name: "alice")
            defer { Task { await client.close() } }
            try await client.hello(token: alice)
            try await client.join("lobby")
            func refusal(_ attachments: Any, cid: String, text: String = "x") async throws -> String? {
                try await client.send([
                    "type": "send", "room": "lobby", "text": text, "cid": cid, "attachments": attachments,
                ])
                return try await client.expect("error").string("code")
            }
            #expect(try await refusal([bobs], cid: "r1") == "no_such_upload", "someone else's upload")
            #expect(try await refusal([UUID().uuidString.lowercased()], cid: "r2") == "no_such_upload")
            #expect(try await refusal(["not-an-id"], cid: "r3") == "invalid_field")
            #expect(try await refusal([own, own], cid: "r4") == "invalid_field", "the same upload twice")
            #expect(
                try await refusal((0..<11).map { _ in UUID().uuidString.lowercased() }, cid: "r5")
                    == "too_many_attachments")
            #expect(try await refusal([], cid: "r6", text: "") == "empty_text", "no text and no attachment")
            try await client.send(["type": "send", "room": "lobby", "text": "", "cid": "ok", "attachments": [own]])
            let (ack, message) = try await client.expectSent(cid: "ok")
            #expect((message["attachments"] as? [[String: Any]])?.first?["id"] as? String == own)
            #expect(ack.int("seq") == message.int("seq") && message.string("from") == "alice")
        }
    }

    @Test(
        "limits: size by Content-Length and by count, quota, rate, type by content, empty files, tokens",
        arguments: await TestDatabase.available)
    func limits(database: TestDatabase) async throws {
        try await Self.withServer(
            database,
            configure: {
                $0.uploads.maxUploadBytes = 10_000
                $0.uploads.quotaBytes = 25_000
                $0.uploads.uploadsPerMinute = 4
            }
        ) { port, location in
            let alice = try await AccountTestClient.register(port: port, "alice")
            let bob = try await AccountTestClient.register(port: port, "bob")
            let carol = try await AccountTestClient.register(port: port, "carol")
            let big = Self.png(10_001)
            let declared = try await Self.upload(port, big, token: alice)
            #expect(declared.status == 413 && declared.errorCode == "too_large")
            let streamed = try await Self.upload(port, big, token: alice, chunked: true)
            #expect(streamed.status == 413 && streamed.errorCode == "too_large", "counted while streaming")

            let elf = [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00] + [UInt8](repeating: 0x90, count: 4_000)
            let disguised = try await Self.upload(
                port, elf, name: "cute-cat.png", token: alice, headers: ["Content-Type": "image/png"])
            #expect(disguised.status == 415 && disguised.errorCode == "unsupported_type", "an executable named .png")
            let html = try await Self.upload(port, Array("<html>\0<script>".utf8), name: "x.txt", token: alice)
            #expect(html.status == 415)
            let empty = try await Self.upload(port, [], token: alice)
            #expect(empty.status == 400 && empty.errorCode == "empty_file")
            let anonymous = try await Self.upload(port, Self.png(10), token: nil)
            #expect(
                anonymous.status == 401 && anonymous.errorCode == "missing_token", "guests may not upload by default")

            // Quota: 25,000 bytes; three uploads of 9,008 do not fit.
            for seed in 1...2 { _ = try await Self.uploadID(port, Self.png(9_000, seed: UInt64(seed)), token: bob) }
            let over = try await Self.upload(port, Self.png(9_000, seed: 3), token: bob)
            #expect(over.status == 413 && over.errorCode == "quota_exceeded")
            let overStreamed = try await Self.upload(port, Self.png(9_000, seed: 3), token: bob, chunked: true)
            #expect(overStreamed.status == 413 && overStreamed.errorCode == "quota_exceeded")

            // Rate: four per minute.
            for seed in 1...4 {
                _ = try await Self.uploadID(port, Array("note \(seed)\n".utf8), name: "n.txt", token: carol)
            }
            let fifth = try await Self.upload(port, Array("note 5\n".utf8), name: "n.txt", token: carol)
            #expect(fifth.status == 429 && fifth.errorCode == "rate_limited")
            #expect(fifth.headers["retry-after"] == "60")

            if let sqlite = location.sqlitePath {
                let staging = DirectoryBlobStore.beside(databasePath: sqlite).appendingPathComponent("staging").path
                #expect(
                    try FileManager.default.contentsOfDirectory(atPath: staging).isEmpty,
                    "refused uploads leave nothing staged")
            }
        }
    }

    @Test(
        "guests upload only with --allow-guest-uploads, named by their nick, and attach what they uploaded",
        arguments: [TestDatabase.sqlite])
    func guests(database: TestDatabase) async throws {
        try await Self.withServer(database, configure: { $0.uploads.allowGuests = true }) { port, _ in
            let noNick = try await Self.upload(port, Self.png(10), token: nil)
            #expect(noNick.status == 401)
            let created = try await Self.upload(port, Self.png(10), token: nil, query: "&nick=visitor")
            #expect(created.status == 201)
            let id = try #require(created["id"] as? String)
            let client = try await TestChatClient.connect(port: port, name: "visitor")
            defer { Task { await client.close() } }
            try await client.hello("visitor")
            try await client.join("lobby")
            try await client.send(["type": "send", "room": "lobby", "text": "look", "cid": "g1", "attachments": [id]])
            #expect((try await client.expectSent(cid: "g1").message["attachments"] as? [[String: Any]])?.count == 1)
            #expect(try await Self.download(port, id, token: nil).status == 200, "a public room's file: anyone")
        }
    }

    @Test(
        "ranges (206, 416), ETag and If-None-Match (304); documents are attachments",
        arguments: await TestDatabase.available)
    func rangesAndETags(database: TestDatabase) async throws {
        try await Self.withServer(database) { port, _ in
            let alice = try await AccountTestClient.register(port: port, "alice")
            let bytes = Self.png(700_000)
            let id = try await Self.uploadID(port, bytes, token: alice)
            let whole = try await Self.download(port, id, token: alice)
            let etag = try #require(whole.headers["etag"])
            #expect(whole.headers["accept-ranges"] == "bytes")
            #expect(whole.headers["content-length"] == "\(bytes.count)")

            let cases: [(String, Range<Int>)] = [
                ("bytes=0-99", 0..<100), ("bytes=262100-262200", 262_100..<262_201),
                ("bytes=699000-", 699_000..<bytes.count),
                ("bytes=-500", bytes.count - 500..<bytes.count), ("bytes=10-99999999", 10..<bytes.count),
            ]
            for (header, range) in cases {
                let part = try await Self.download(port, id, token: alice, headers: ["Range": header])
                #expect(part.status == 206, "\(header)")
                #expect(part.body == Array(bytes[range]), "\(header)")
                #expect(
                    part.headers["content-range"] == "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(bytes.count)")
            }
            let beyond = try await Self.download(port, id, token: alice, headers: ["Range": "bytes=\(bytes.count)-"])
            #expect(beyond.status == 416)
            #expect(beyond.headers["content-range"] == "bytes */\(bytes.count)")
            let several = try await Self.download(port, id, token: alice, headers: ["Range": "bytes=0-1,5-6"])
            #expect(several.status == 200 && several.body == bytes, "several ranges: the whole file")
            let stale = try await Self.download(
                port, id, token: alice, headers: ["Range": "bytes=0-9", "If-Range": "\"other\""])
            #expect(stale.status == 200, "If-Range with another ETag: the whole file")

            let cached = try await Self.download(port, id, token: alice, headers: ["If-None-Match": etag])
            #expect(cached.status == 304 && cached.body.isEmpty)
            #expect(cached.headers["etag"] == etag)
            let changed = try await Self.download(port, id, token: alice, headers: ["If-None-Match": "\"nope\""])
            #expect(changed.status == 200)

            let textID = try await Self.uploadID(
                port, Array("<script>alert(1)</script>\n".utf8), name: "page.html", token: alice)
            let text = try await Self.download(port, textID, token: alice)
            #expect(text.headers["content-type"] == "text/plain; charset=utf-8", "HTML is served as the text it is")
            #expect(text.headers["content-disposition"]?.hasPrefix("attachment;") == true)
            #expect(text.headers["x-content-type-options"] == "nosniff")
            let same = try await Self.uploadID(port, bytes, name: "again.png", token: alice)
            #expect(same != id, "the same bytes again: a new upload")
            #expect(
                try await Self.download(port, same, token: alice).headers["etag"] == etag,
                "stored once, under its SHA-256")
        }
    }

    @Test(
        "uploads no message carries are collected after the grace period; carried ones stay",
        arguments: await TestDatabase.available)
    func collection(database: TestDatabase) async throws {
        // Two servers on one database, one after the other, so nothing depends on timing: the
        // first (the default grace of a day) stores both uploads and the message; the second,
        // with a grace of half a second, collects what no message carries.
        try await database.with { location in
            let stored = Mutex<(alice: String, kept: String, dropped: String)?>(nil)
            try await TestServer.with(ServerConfigurationFactory.make(), store: try location.open()) { port, _ in
                let alice = try await AccountTestClient.register(port: port, "alice")
                let kept = try await Self.uploadID(port, Self.png(1_000, seed: 1), token: alice)
                let client = try await TestChatClient.connect(port: port, name: "alice")
                try await client.hello(token: alice)
                try await client.join("lobby")
                try await client.send([
                    "type": "send", "room": "lobby", "text": "kept", "cid": "k1", "attachments": [kept],
                ])
                _ = try await client.expect("ack", skipping: ["presence", "message"])
                await client.close()
                let dropped = try await Self.uploadID(port, Self.png(1_000, seed: 2), token: alice)
                #expect(try await Self.download(port, dropped, token: alice).status == 200, "inside the grace period")
                stored.withLock { $0 = (alice, kept, dropped) }
            }
            let (alice, kept, dropped) = try #require(stored.withLock { $0 })
            var collecting = ServerConfigurationFactory.make()
            collecting.uploads.collectionGrace = .milliseconds(500)
            collecting.uploads.collectionInterval = .milliseconds(200)
            try await TestServer.with(collecting, store: try location.open()) { port, _ in
                let deadline = ContinuousClock.now + .seconds(60)
                while try await Self.download(port, dropped, token: alice).status == 200, ContinuousClock.now < deadline
                {
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(try await Self.download(port, dropped, token: alice).status == 404, "collected")
                #expect(try await Self.download(port, kept, token: alice).status == 200, "carried by a message: kept")
                if let sqlite = location.sqlitePath {
                    let directory = DirectoryBlobStore.beside(databasePath: sqlite)
                    let blobs = try FileManager.default.subpathsOfDirectory(atPath: directory.path)
                        .filter { $0.count > 64 }
                    #expect(blobs.count == 1, "the collected upload's blob is gone from the directory: \(blobs)")
                }
            }
        }
    }

    @Test("with PostgreSQL, a file uploaded through one node downloads through another", .requires(.postgreSQL))
    func otherNode() async throws {
        try await TestDatabase.postgres.with { location in
            let configuration = ServerConfigurationFactory.make()
            try await TestServer.with(configuration, store: try location.open()) { first, _ in
                try await TestServer.with(configuration, store: try location.open()) { second, _ in
                    let alice = try await AccountTestClient.register(port: first, "alice")
                    let bob = try await AccountTestClient.register(port: first, "bob")
                    let bytes = Self.png(900_000, seed: 7)
                    let id = try await Self.uploadID(first, bytes, token: alice)
                    #expect(
                        try await Self.download(second, id, token: alice).body == bytes,
                        "the uploader, on the other node")
                    #expect(try await Self.download(second, id, token: bob).status == 404)

                    let client = try await TestChatClient.connect(port: first, name: "alice")
                    defer { Task { await client.close() } }
                    try await client.hello(token: alice)
                    try await client.send([
                        "type": "send", "to": "bob", "text": "for you", "cid": "x1", "attachments": [id],
                    ])
                    _ = try await client.expect("ack", skipping: ["presence", "message", "status"])

                    let fetched = try await Self.download(second, id, token: bob)
                    #expect(fetched.status == 200 && fetched.body == bytes)
                    let part = try await Self.download(
                        second, id, token: bob, headers: ["Range": "bytes=300000-300009"])
                    #expect(part.status == 206 && part.body == Array(bytes[300_000..<300_010]))
                }
            }
        }
    }
}

extension TestChatClient {
    /// Asks for the DM history with `peer` and returns its messages.
    fileprivate func sendAndExpectHistory(peer: String) async throws -> [[String: Any]] {
        try await send(["type": "history", "peer": peer, "limit": 10])
        return try await expect("history", skipping: ["presence", "typing", "receipt", "status"])["messages"]
            as? [[String: Any]] ?? []
    }
}
