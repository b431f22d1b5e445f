import Foundation
import Synchronization

/// A SockJS chat client behind a plain round-robin load balancer: each HTTP request goes to the
/// next node in turn, so consecutive requests of one session hit different server processes.
final class RoundRobinSockJSClient: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The ports of the nodes, in turn.
    let ports: [Int]
    /// `/sockjs/<server>/<session>`: the server id is random digits, as sockjs-client picks it.
    let url: String
    private let turn = Mutex(0)
    /// Ports the requests went to, in order.
    let served = Mutex<[Int]>([])

    init(ports: [Int]) {
        self.ports = ports
        self.url = "/sockjs/\(Int.random(in: 100...999))/\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// The next node's port (round robin).
    func nextPort() -> Int {
        let port = turn.withLock { turn in
            defer { turn += 1 }
            return ports[turn % ports.count]
        }
        served.withLock { $0.append(port) }
        return port
    }

    /// POSTs to `url/<transport>` on the next node; returns the status and the body.
    func post(_ transport: String, body: String = "") async throws -> (status: Int, body: String) {
        let port = nextPort()
        let request =
            "POST \(url)/\(transport) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: text/plain\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        let raw = try await HTTP.exchange(port: port, request: request)
        guard let split = raw.range(of: "\r\n\r\n") else {
            throw Failure(description: "no HTTP head in \(raw.debugDescription)")
        }
        let head = raw[..<split.lowerBound]
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        var payload = String(raw[split.upperBound...])
        if head.lowercased().contains("transfer-encoding: chunked") {
            payload = Self.dechunk(payload)
        }
        return (status, payload)
    }

    /// Sends protocol v1 frames in one `xhr_send`; the server answers 204.
    func send(_ objects: [[String: Any]]) async throws {
        let frames = try objects.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        let payload = String(decoding: try JSONSerialization.data(withJSONObject: frames), as: UTF8.self)
        let (status, body) = try await post("xhr_send", body: payload)
        guard status == 204 else { throw Failure(description: "xhr_send answered \(status) \(body)") }
    }

    /// One `xhr` poll: the protocol v1 frames it carried (none for `o` or `h`); throws on `c[...]`.
    func poll() async throws -> [[String: Any]] {
        let (status, body) = try await post("xhr")
        guard status == 200 else { throw Failure(description: "xhr answered \(status) \(body)") }
        return try Self.frames(in: body)
    }

    /// Polls until `done` holds for everything received, at most `maxPolls` polls within
    /// `timeout` (each poll returns within one heartbeat).
    func pollUntil(
        maxPolls: Int = 40, timeout: Duration = .seconds(60), _ done: ([[String: Any]]) -> Bool
    ) async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now + timeout
        var received: [[String: Any]] = []
        for _ in 0..<maxPolls where ContinuousClock.now < deadline {
            received += try await poll()
            if done(received) { return received }
        }
        throw Failure(description: "gave up polling; received \(received)")
    }

    /// The protocol v1 frames of SockJS frames (`a[...]` lines); throws on a close frame.
    static func frames(in body: String) throws -> [[String: Any]] {
        var frames: [[String: Any]] = []
        for line in body.split(separator: "\n") {
            switch line.first {
            case "a":
                let messages = (try? JSONSerialization.jsonObject(with: Data(line.dropFirst().utf8))) as? [String] ?? []
                frames += messages.compactMap {
                    (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
                }
            case "c":
                throw Failure(description: "session closed: \(line)")
            default:
                continue
            }
        }
        return frames
    }

    static func dechunk(_ body: String) -> String {
        var rest = Substring(body)
        var out = ""
        while let lineEnd = rest.range(of: "\r\n"), let size = Int(rest[..<lineEnd.lowerBound], radix: 16), size > 0 {
            let data = rest[lineEnd.upperBound...].utf8.prefix(size)
            out += String(decoding: data, as: UTF8.self)
            rest = Substring(String(decoding: rest[lineEnd.upperBound...].utf8.dropFirst(size + 2), as: UTF8.self))
        }
        return out
    }
}
