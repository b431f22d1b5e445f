import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket
import Synchronization

/// A protocol v1 client over a real WebSocket, for driving the real server in tests.
///
/// Frames are read in order with `expect`, which fails (rather than hangs) after a timeout and
/// fails on any unexpected frame type, so tests see exactly what a client would.
final class TestChatClient: Sendable {
    struct Frame: Sendable, CustomStringConvertible {
        let raw: String
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(raw.utf8))) as? [String: Any] ?? [:]
        }
        var type: String { json["type"] as? String ?? "" }
        subscript(key: String) -> Any? { json[key] }
        func string(_ key: String) -> String? { json[key] as? String }
        func int(_ key: String) -> Int? { (json[key] as? NSNumber)?.intValue }
        var description: String { raw }
    }

    enum Event: Sendable {
        case frame(Frame)
        case closed(UInt16?)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let inbox = Inbox()
    private let writer = Mutex<WebSocketOutboundWriter?>(nil)
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let closeReasonBox = Mutex<String?>(nil)
    let name: String

    /// The reason in the server's close frame, once the connection closed with one.
    var closeReason: String? { closeReasonBox.withLock { $0 } }

    private init(name: String) { self.name = name }

    /// Connects to `ws://127.0.0.1:<port><path>` and waits until the upgrade completed.
    static func connect(
        port: Int, path: String = "/ws", name: String = "client", origin: String? = nil
    ) async throws -> TestChatClient {
        let client = TestChatClient(name: name)
        let inbox = client.inbox

        var configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 20)
        if let origin { configuration.additionalHeaders[.origin] = origin }
        let ready = AsyncStream<Bool>.makeStream()
        let lastError = ErrorBox()
        let logger = Logger(label: "test-client")
        let task = Task {
            do {
                let closeFrame = try await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(port)\(path)", configuration: configuration, logger: logger
                ) { inbound, outbound, _ in
                    client.writer.withLock { $0 = outbound }
                    ready.continuation.yield(true)
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        if case .text(let text) = message {
                            await inbox.push(.frame(Frame(raw: text)))
                        }
                    }
                }
                client.closeReasonBox.withLock { $0 = closeFrame?.reason }
                await inbox.push(.closed(closeFrame.map { UInt16(webSocketErrorCode: $0.closeCode) }))
            } catch {
                lastError.withLock { $0 = "\(error)" }
                await inbox.push(.closed(nil))
            }
            ready.continuation.yield(false)
        }
        client.task.withLock { $0 = task }
        for await ok in ready.stream {
            if ok { return client }
            throw Failure(description: "\(name): WebSocket connection failed: \(lastError.withLock { $0 } ?? "closed")")
        }
        throw Failure(description: "\(name): WebSocket connection failed")
    }

    /// Sends a raw text frame.
    func sendRaw(_ text: String) async throws {
        guard let writer = writer.withLock({ $0 }) else { throw Failure(description: "\(name) not connected") }
        try await writer.write(.text(text))
    }

    /// Sends a text frame with exactly these bytes, valid UTF-8 or not.
    func sendTextBytes(_ bytes: [UInt8]) async throws {
        guard let writer = writer.withLock({ $0 }) else { throw Failure(description: "\(name) not connected") }
        try await writer.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(bytes: bytes))))
    }

    /// Sends one frame exactly as given (fragments, continuations), masked like any client frame.
    func sendFrame(_ frame: WebSocketFrame) async throws {
        guard let writer = writer.withLock({ $0 }) else { throw Failure(description: "\(name) not connected") }
        try await writer.write(.custom(frame))
    }

    /// Sends a binary frame.
    func sendBinary(_ bytes: [UInt8]) async throws {
        guard let writer = writer.withLock({ $0 }) else { throw Failure(description: "\(name) not connected") }
        try await writer.write(.binary(ByteBuffer(bytes: bytes)))
    }

    /// Sends a JSON object frame.
    func send(_ object: [String: Any]) async throws {
        let data = try JSONSerialization.data(withJSONObject: object)
        try await sendRaw(String(decoding: data, as: UTF8.self))
    }

    /// The next frame, whatever its type.
    func next(timeout: Duration = .seconds(10)) async throws -> Frame {
        switch await inbox.next(timeout: timeout) {
        case .frame(let frame)?: return frame
        case .closed(let code)?:
            throw Failure(description: "\(name): connection closed (\(code.map(String.init) ?? "no code"))")
        case nil: throw Failure(description: "\(name): no frame within \(timeout)")
        }
    }

    /// The next frame or the close, whichever comes first; nil when neither comes within `timeout`.
    func nextEvent(timeout: Duration = .seconds(10)) async -> Event? {
        await inbox.next(timeout: timeout)
    }

    /// The next frame of `type`; frames of the `skipping` types are passed over, any other type
    /// is a failure.
    func expect(
        _ type: String, skipping: Set<String> = ["presence", "typing", "receipt"], timeout: Duration = .seconds(10)
    ) async throws -> Frame {
        while true {
            let frame = try await next(timeout: timeout)
            if frame.type == type { return frame }
            if !skipping.contains(frame.type) {
                throw Failure(description: "\(name): expected `\(type)`, got \(frame.raw)")
            }
        }
    }

    /// The `ack` of this client's send `cid` and the client's own copy of that message, in
    /// whichever order they come. The protocol orders neither before the other: the ack goes out
    /// from the hub once the message is stored and confirmed, the copy comes back through the
    /// broker. A test that reads the next `message` afterwards must have consumed its own.
    /// Other clients' messages that arrive meanwhile are passed over, like `skipping`'s types.
    func expectSent(
        cid: String, skipping: Set<String> = ["presence", "typing", "receipt"], timeout: Duration = .seconds(10)
    ) async throws -> (ack: Frame, message: Frame) {
        var ack: Frame?
        var messages: [String: Frame] = [:]
        while true {
            let frame = try await next(timeout: timeout)
            switch frame.type {
            case "ack" where frame.string("cid") == cid: ack = frame
            case "message": if let id = frame.string("id") { messages[id] = frame }
            default:
                if !skipping.contains(frame.type) {
                    throw Failure(description: "\(name): expected the ack and copy of `\(cid)`, got \(frame.raw)")
                }
            }
            if let ack, let id = ack.string("id"), let message = messages[id] { return (ack, message) }
        }
    }

    /// Waits for the server to close the connection and returns the close code.
    func expectClose(timeout: Duration = .seconds(10)) async throws -> UInt16? {
        while true {
            switch await inbox.next(timeout: timeout) {
            case .frame?: continue
            case .closed(let code)?: return code
            case nil: throw Failure(description: "\(name): not closed within \(timeout)")
            }
        }
    }

    /// Says hello as `nick` and returns the `welcome`.
    @discardableResult
    func hello(_ nick: String, timeout: Duration = .seconds(10)) async throws -> Frame {
        try await send(["type": "hello", "nick": nick])
        return try await expect("welcome", timeout: timeout)
    }

    /// Joins `room` and returns the `joined`.
    @discardableResult
    func join(_ room: String, since: Int? = nil, timeout: Duration = .seconds(10)) async throws -> Frame {
        var frame: [String: Any] = ["type": "join", "room": room]
        if let since { frame["since"] = since }
        try await send(frame)
        return try await expect("joined", timeout: timeout)
    }

    /// Joins `room`, retrying while the node answers `unavailable`: for tests whose node runs
    /// with a short `--send-timeout` on a loaded machine, where a join's store calls may take
    /// longer than that before the test's fault even starts.
    @discardableResult
    func joinRetrying(_ room: String, attempts: Int = 10) async throws -> Frame {
        for attempt in 1...attempts {
            try await send(["type": "join", "room": room])
            var frame = try await next()
            while frame.type != "joined", frame.type != "error" { frame = try await next() }
            if frame.type == "joined" { return frame }
            guard frame.string("code") == "unavailable", attempt < attempts else {
                throw Failure(description: "\(name): join of \(room) answered \(frame.raw)")
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw Failure(description: "\(name): join of \(room) never answered")
    }

    /// A round trip through the server: every frame the server queued for this client before the
    /// `pong` is read by the time this returns; returns those frames.
    func sync(id: String = UUID().uuidString) async throws -> [Frame] {
        try await send(["type": "ping", "id": id])
        var seen: [Frame] = []
        while true {
            let frame = try await next()
            if frame.type == "pong", frame.string("id") == id { return seen }
            seen.append(frame)
        }
    }

    /// Closes the connection from the client side.
    func close() async {
        if let writer = writer.withLock({ $0 }) {
            try? await writer.close(.normalClosure, reason: "bye")
        }
        _ = await task.withLock({ $0 })?.value
    }
}

/// Frames received, in order, with a timed wait for the next one.
private actor Inbox {
    private var buffer: [TestChatClient.Event] = []
    private var waiter: (id: Int, continuation: CheckedContinuation<TestChatClient.Event?, Never>)?
    private var nextWaiterID = 0
    private var closed = false

    func push(_ event: TestChatClient.Event) {
        if closed { return }
        if case .closed = event { closed = true }
        if let waiter {
            self.waiter = nil
            waiter.continuation.resume(returning: event)
        } else {
            buffer.append(event)
        }
    }

    func next(timeout: Duration) async -> TestChatClient.Event? {
        if !buffer.isEmpty {
            let event = buffer.removeFirst()
            // Keep reporting the close to later callers.
            if case .closed = event { buffer.insert(event, at: 0) }
            return event
        }
        nextWaiterID += 1
        let id = nextWaiterID
        let timer = Task {
            try? await Task.sleep(for: timeout)
            self.timeOut(id)
        }
        let event = await withCheckedContinuation { continuation in
            waiter = (id, continuation)
        }
        timer.cancel()
        if case .closed? = event { buffer.insert(event!, at: 0) }
        return event
    }

    private func timeOut(_ id: Int) {
        guard let waiter, waiter.id == id else { return }
        self.waiter = nil
        waiter.continuation.resume(returning: nil)
    }
}

/// The error that ended a connection attempt, for failure messages.
private final class ErrorBox: Sendable {
    private let value = Mutex<String?>(nil)
    func withLock<T: Sendable>(_ body: (inout String?) -> T) -> T { value.withLock { body(&$0) } }
}
