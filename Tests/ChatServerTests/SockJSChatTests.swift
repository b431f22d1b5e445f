import ChatCore
import ChatServer
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import NIOPosix
import NIOWebSocket
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

/// The chat over SockJS (`/sockjs`) against the real server: the same protocol v1 sessions as
/// `/ws`, through the same hub, over xhr-streaming + xhr_send and over SockJS's WebSocket.
@Suite("Chat over /sockjs", .timeLimit(.minutes(2)))
struct SockJSChatTests {
    @Test(
        "hello, join, send, ack, and delivery both ways with a /ws client",
        arguments: SockJSChatClient.Transport.allCases)
    func chatWithNativeClient(transport: SockJSChatClient.Transport) async throws {
        try await TestServer.with { port, _ in
            let native = try await TestChatClient.connect(port: port, name: "native")
            try await native.hello("native")
            try await native.join("lobby")

            let sockjs = try await SockJSChatClient.connect(port: port, transport: transport)
            let welcome = try await sockjs.hello("browser")
            #expect(welcome["user"] as? String == "browser")
            let joined = try await sockjs.expect("joined", after: ["type": "join", "room": "lobby"])
            #expect(joined["members"] as? [String] == ["browser", "native"])

            let text = "hi from \(transport) </script><script>%41 \u{2028}"
            try await sockjs.send(["type": "send", "room": "lobby", "text": text, "cid": "c1"])
            var ack: [String: Any]?
            var echoed: [String: Any]?
            while ack == nil || echoed == nil {
                let frame = try await sockjs.next()
                switch frame["type"] as? String {
                case "ack": ack = frame
                case "message": echoed = frame
                default: continue
                }
            }
            #expect(ack?["cid"] as? String == "c1")
            #expect(echoed?["text"] as? String == text)
            let delivered = try await native.expect("message")
            #expect(delivered.string("from") == "browser")
            #expect(delivered.string("text") == text)
            #expect(delivered.int("seq") == ack?["seq"] as? Int)

            try await native.send(["type": "send", "room": "lobby", "text": "hello browser", "cid": "n1"])
            var received: [String: Any]?
            while received == nil {
                let frame = try await sockjs.next()
                if frame["type"] as? String == "message" { received = frame }
            }
            #expect(received?["from"] as? String == "native")
            #expect(received?["text"] as? String == "hello browser")
            await sockjs.close()
            await native.close()
        }
    }

    @Test(
        "errors are the same frames as on /ws, and the session stays usable",
        arguments: SockJSChatClient.Transport.allCases)
    func errors(transport: SockJSChatClient.Transport) async throws {
        try await TestServer.with { port, _ in
            let client = try await SockJSChatClient.connect(port: port, transport: transport)
            let early = try await client.expect("error", after: ["type": "join", "room": "lobby"])
            #expect(early["code"] as? String == "not_identified")
            try await client.sendRaw("{not json")
            let malformed = try await client.expect("error")
            #expect(malformed["code"] as? String == "bad_json")
            let unknown = try await client.expect("error", after: ["type": "dance"])
            #expect(unknown["code"] as? String == "unknown_type")
            try await client.hello("survivor")
            await client.close()
        }
    }

    @Test("an oversize frame closes the SockJS session with 1009, like /ws")
    func oversize() async throws {
        try await TestServer.with { port, _ in
            let client = try await SockJSChatClient.connect(port: port, transport: .xhrStreaming)
            try await client.hello("big")
            let huge = String(repeating: "x", count: 70 * 1024)
            try await client.sendRaw(#"{"type":"send","room":"lobby","text":"\#(huge)","cid":"c"}"#)
            #expect(try await client.expectClose() == 1009)
        }
    }

    @Test("graceful shutdown closes SockJS sessions with 1012")
    func shutdown() async throws {
        let code = Mutex<Int?>(nil)
        try await TestServer.with { port, group in
            let client = try await SockJSChatClient.connect(port: port, transport: .xhrStreaming)
            try await client.hello("leaver")
            async let closed = client.expectClose()
            await group.triggerGracefulShutdown()
            let value = try await closed
            code.withLock { $0 = value }
        }
        #expect(code.withLock { $0 } == 1012)
    }

    @Test("the origin allowlist applies to SockJS HTTP transports and its WebSocket")
    func origins() async throws {
        try await TestServer.with { port, _ in
            let foreign = try await HTTP.get(
                port: port, path: "/sockjs/000/abc/xhr_streaming", headers: ["Origin": "https://evil.example"])
            #expect(foreign.status == 403)
            let raw = try await HTTP.exchange(
                port: port,
                request:
                    "POST /sockjs/000/o1/xhr HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nOrigin: https://evil.example\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            #expect(raw.hasPrefix("HTTP/1.1 403"))
            let own = try await HTTP.exchange(
                port: port,
                request:
                    "POST /sockjs/000/o2/xhr HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nOrigin: http://127.0.0.1:\(port)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            #expect(own.hasPrefix("HTTP/1.1 200"))
            #expect(own.hasSuffix("o\n"))
            let refused = try await HTTP.webSocketHandshake(
                port: port, path: "/sockjs/000/o3/websocket", origin: "https://evil.example")
            #expect(refused.status == 403, "foreign origin refused, got \(refused.status)")
            let error = (refused.json as? [String: Any])?["error"] as? [String: Any]
            #expect(error?["code"] as? String == "origin_not_allowed", "\(refused.body)")
            let same = try await HTTP.webSocketHandshake(
                port: port, path: "/sockjs/000/o4/websocket", origin: "http://127.0.0.1:\(port)"
            ).status
            #expect(same == 101, "the server's own origin is allowed")
        }
    }

    @Test("/sockjs-client.min.js is served from the configured path, a JSON 404 when absent")
    func clientScript() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sockjs-\(UUID().uuidString).min.js")
            .path
        try Data("/* sockjs */".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = ServerConfigurationFactory.make()
        configuration.sockJSClientPath = path
        try await TestServer.with(configuration) { port, _ in
            let response = try await HTTP.get(port: port, path: "/sockjs-client.min.js")
            #expect(response.status == 200)
            #expect(response.body == "/* sockjs */")
            #expect(response.headers["content-type"]?.hasPrefix("text/javascript") == true)
        }
        configuration.sockJSClientPath = nil
        try await TestServer.with(configuration) { port, _ in
            let response = try await HTTP.get(port: port, path: "/sockjs-client.min.js")
            #expect(response.status == 404)
            #expect((response.json as? [String: Any])?["error"] != nil)
        }
    }
}

/// A protocol v1 client speaking SockJS: xhr-streaming with xhr_send, SockJS's WebSocket, or its
/// raw `/websocket`.
final class SockJSChatClient: Sendable {
    enum Transport: String, CaseIterable, Sendable, CustomStringConvertible {
        case xhrStreaming = "xhr_streaming"
        case websocket
        case rawWebSocket = "raw_websocket"
        var description: String { rawValue }
    }

    enum Event: Sendable {
        case frame(String)
        case closed(Int?)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let port: Int
    let url: String
    let transport: Transport
    private let events: AsyncStream<Event>
    private let sink: AsyncStream<Event>.Continuation
    private let inbox: EventInbox
    private let writer = Mutex<WebSocketOutboundWriter?>(nil)
    private let task = Mutex<Task<Void, Never>?>(nil)
    /// Set when the session's close frame arrives: later sends fail at once instead of opening
    /// one more request each (a flood test would otherwise make thousands until the server
    /// forgets the session).
    private let closeSeen = Mutex(false)

    private init(port: Int, transport: Transport) {
        self.port = port
        self.transport = transport
        self.url = "/sockjs/000/\(UUID().uuidString)"
        (events, sink) = AsyncStream.makeStream()
        inbox = EventInbox(events: events)
    }

    static func connect(port: Int, transport: Transport) async throws -> SockJSChatClient {
        let client = SockJSChatClient(port: port, transport: transport)
        let opened = AsyncStream<Bool>.makeStream()
        let sink = client.sink
        let task = Task {
            switch transport {
            case .xhrStreaming: await client.runStreaming(opened: opened.continuation)
            case .websocket: await client.runWebSocket(opened: opened.continuation)
            case .rawWebSocket: await client.runRawWebSocket(opened: opened.continuation)
            }
            opened.continuation.yield(false)
            sink.yield(.closed(nil))
        }
        client.task.withLock { $0 = task }
        for await ok in opened.stream {
            if ok { return client }
            break
        }
        throw Failure(description: "SockJS \(transport) session did not open")
    }

    /// Handles one SockJS frame; returns false after a close frame.
    private func handle(frame: String, opened: AsyncStream<Bool>.Continuation) -> Bool {
        switch frame.first {
        case "o": opened.yield(true)
        case "a":
            let messages = (try? JSONSerialization.jsonObject(with: Data(frame.dropFirst().utf8))) as? [String] ?? []
            for message in messages { sink.yield(.frame(message)) }
        case "c":
            let close = (try? JSONSerialization.jsonObject(with: Data(frame.dropFirst().utf8))) as? [Any]
            closeSeen.withLock { $0 = true }
            sink.yield(.closed((close?.first as? NSNumber)?.intValue))
            return false
        default: break
        }
        return true
    }

    /// How one xhr_streaming response ended.
    private enum StreamEnd {
        /// A close frame, or a connection that failed: the session is over for this client.
        case closed
        /// The server ended the response (its response limit): a SockJS client opens the next.
        case ended
    }

    /// Receives over xhr_streaming like sockjs-client: when the server ends a response (after
    /// 128 KiB, say), the next request goes on with the same session.
    private func runStreaming(opened: AsyncStream<Bool>.Continuation) async {
        for _ in 0..<64 {
            guard await streamOnce(opened: opened) == .ended else { return }
        }
    }

    private func streamOnce(opened: AsyncStream<Bool>.Continuation) async -> StreamEnd {
        let (bytes, continuation) = AsyncStream<ByteBuffer>.makeStream()
        guard
            let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer({ channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteStreamCollector(continuation: continuation))
                    }
                })
                .connect(host: "127.0.0.1", port: port).get()
        else { return .closed }
        defer { channel.close(promise: nil) }
        let request = "POST \(url)/xhr_streaming HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: 0\r\n\r\n"
        guard (try? await channel.writeAndFlush(ByteBuffer(string: request)).get()) != nil else { return .closed }
        var buffer = ByteBuffer()
        var headDone = false
        for await var chunk in bytes {
            buffer.writeBuffer(&chunk)
            if !headDone {
                let text = String(buffer: buffer)
                guard let end = text.range(of: "\r\n\r\n") else { continue }
                buffer.moveReaderIndex(forwardBy: text[..<end.upperBound].utf8.count)
                headDone = true
            }
            // Chunked body: "<hex>\r\n<data>\r\n"; each SockJS frame ends with "\n".
            while true {
                let view = String(buffer: buffer)
                guard let lineEnd = view.range(of: "\r\n"), let size = Int(view[..<lineEnd.lowerBound], radix: 16)
                else { break }
                let headerBytes = view[..<lineEnd.upperBound].utf8.count
                guard buffer.readableBytes >= headerBytes + size + 2 else { break }
                buffer.moveReaderIndex(forwardBy: headerBytes)
                let data = buffer.readString(length: size) ?? ""
                buffer.moveReaderIndex(forwardBy: 2)
                if size == 0 { return .ended }
                for frame in data.split(separator: "\n") where !handle(frame: String(frame), opened: opened) {
                    return .closed
                }
            }
        }
        return .closed
    }

    private func runWebSocket(opened: AsyncStream<Bool>.Continuation) async {
        var logger = Logger(label: "sockjs-chat-client")
        logger.logLevel = .warning
        _ = try? await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)\(url)/websocket", logger: logger) {
            inbound, outbound, _ in
            self.writer.withLock { $0 = outbound }
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let frame) = message else { continue }
                if !self.handle(frame: frame, opened: opened) { break }
            }
        }
    }

    /// The raw `/sockjs/websocket`: no SockJS framing, each message one protocol v1 frame, the
    /// session's close a WebSocket close code.
    private func runRawWebSocket(opened: AsyncStream<Bool>.Continuation) async {
        var logger = Logger(label: "sockjs-chat-client")
        logger.logLevel = .warning
        let closeFrame = try? await WebSocketClient.connect(
            url: "ws://127.0.0.1:\(port)/sockjs/websocket", logger: logger
        ) {
            inbound, outbound, _ in
            self.writer.withLock { $0 = outbound }
            opened.yield(true)
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let frame) = message else { continue }
                self.sink.yield(.frame(frame))
            }
        }
        if let code = closeFrame?.closeCode { sink.yield(.closed(Int(UInt16(webSocketErrorCode: code)))) }
    }

    /// Sends one raw protocol v1 frame as a SockJS message.
    func sendRaw(_ text: String) async throws {
        let payload = String(decoding: try JSONSerialization.data(withJSONObject: [text]), as: UTF8.self)
        if closeSeen.withLock({ $0 }) { throw Failure(description: "the session is closed") }
        switch transport {
        case .rawWebSocket:
            guard let writer = writer.withLock({ $0 }) else { throw Failure(description: "not connected") }
            try await writer.write(.text(text))
        case .websocket:
            guard let writer = writer.withLock({ $0 }) else { throw Failure(description: "not connected") }
            try await writer.write(.text(payload))
        case .xhrStreaming:
            let request =
                "POST \(url)/xhr_send HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: text/plain\r\n"
                + "Content-Length: \(payload.utf8.count)\r\nConnection: close\r\n\r\n\(payload)"
            let response = try await HTTP.exchange(port: port, request: request)
            guard response.hasPrefix("HTTP/1.1 204") else { throw Failure(description: "xhr_send failed: \(response)") }
        }
    }

    func send(_ object: [String: Any]) async throws {
        try await sendRaw(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
    }

    private func nextEvent() async -> Event? {
        await inbox.next()
    }

    /// The next protocol v1 frame.
    func next() async throws -> [String: Any] {
        switch await nextEvent() {
        case .frame(let raw)?:
            return (try? JSONSerialization.jsonObject(with: Data(raw.utf8))) as? [String: Any] ?? [:]
        case .closed(let code)?: throw Failure(description: "session closed (\(code.map(String.init) ?? "no code"))")
        case nil: throw Failure(description: "session ended")
        }
    }

    /// The next frame of `type`, skipping presence and typing.
    func expect(_ type: String, after frame: [String: Any]? = nil) async throws -> [String: Any] {
        if let frame { try await send(frame) }
        while true {
            let next = try await self.next()
            if next["type"] as? String == type { return next }
            if !["presence", "typing", "receipt"].contains(next["type"] as? String ?? "") {
                throw Failure(description: "expected \(type), got \(next)")
            }
        }
    }

    @discardableResult
    func hello(_ nick: String) async throws -> [String: Any] {
        try await expect("welcome", after: ["type": "hello", "nick": nick])
    }

    /// Waits for the SockJS close frame and returns its code.
    func expectClose() async throws -> Int? {
        while let event = await nextEvent() {
            if case .closed(let code) = event { return code }
        }
        return nil
    }

    func close() async {
        if let writer = writer.withLock({ $0 }) { try? await writer.close(.normalClosure, reason: nil) }
        task.withLock { $0 }?.cancel()
    }
}

/// The single reader of a client's events, so tests can call `next` from any task.
private actor EventInbox {
    private var iterator: AsyncStream<SockJSChatClient.Event>.AsyncIterator

    init(events: AsyncStream<SockJSChatClient.Event>) {
        iterator = events.makeAsyncIterator()
    }

    func next() async -> SockJSChatClient.Event? {
        // The iterator wraps a reference to the stream's storage, so a copy reads the same
        // stream; callers do not overlap (each awaits its event before asking again).
        var current = iterator
        let event = await current.next(isolation: self)
        iterator = current
        return event
    }
}
