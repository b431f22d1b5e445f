/// What one load run does: the workload, its size, its bounds and where the server is.
///
/// Every run is bounded: a connect deadline, a fixed number of messages per sender, and a drain
/// deadline after the last send; nothing waits forever on the server.
package struct BenchConfiguration: Sendable, Codable, Equatable {
    /// The workloads of `rabbitchat bench`.
    package enum Workload: String, Sendable, Codable, CaseIterable {
        /// Every client in one room; `senders` of them send `rate` messages per second.
        case broadcast
        /// Rooms of `roomSize` clients; `senders` per room send `rate` messages per second.
        case rooms
        /// Every client alone in its own room, sending the next message when its previous one
        /// comes back (`window` in flight): round trips per second.
        case echo
        /// Clients connect and say hello, then hold the socket: memory per connection.
        case idle
    }

    /// How clients talk to the server.
    package enum Transport: String, Sendable, Codable, CaseIterable {
        /// Protocol v1 frames as WebSocket text frames on `/ws`.
        case websocket
        /// The same frames inside SockJS websocket framing (`a[...]` arrays) on `/sockjs`.
        case sockjs
        /// No chat protocol: every text a client sends is relayed to every client (a reference
        /// broadcast hub, `scripts/bench compare`). Clients send `message`-shaped frames and
        /// count what comes back; there is no hello, join, seq or ack.
        case raw
    }

    package var workload: Workload
    package var transport = Transport.websocket
    /// Server address (loopback only).
    package var host = "127.0.0.1"
    package var port = 8080
    /// The endpoint: `/ws` for WebSocket, the SockJS prefix (`/sockjs`) for SockJS.
    package var path = "/ws"
    /// Clients in the whole run (over every process).
    package var clients = 100
    /// Clients per room (rooms workload).
    package var roomSize = 10
    /// Senders: in the room (broadcast) or per room (rooms).
    package var senders = 10
    /// Messages per second per sender.
    package var rate = 1.0
    /// Seconds of sending (broadcast, rooms, echo) or of holding (idle).
    package var duration = 10.0
    /// Messages in flight per client (echo).
    package var window = 1
    /// Most seconds to connect everyone.
    package var connectTimeout = 120.0
    /// Handshakes in flight at once.
    package var connectConcurrency = 200
    /// Most seconds to wait for quiet after connecting (presence storms) before sending.
    package var settleTimeout = 60.0
    /// Most seconds to wait for the last deliveries after the last send.
    package var drainTimeout = 10.0
    /// Source addresses 127.0.0.2 ... 127.0.0.(1+n) that connections are spread over.
    package var sourceAddresses = 4
    /// Event loop threads of each bench process.
    package var threads = 1
    /// Bench processes; nil picks the fewest the descriptor limit allows.
    package var processes: Int?
    /// The server's pid, to read its RSS and CPU from /proc.
    package var serverPID: Int32?
    /// Prefix of rooms and nicks, unique per run so runs never see each other's history.
    package var runID = "r"

    package init(workload: Workload) {
        self.workload = workload
    }

    /// Messages each sender sends (broadcast, rooms).
    package var messagesPerSender: Int { max(1, Int((duration * rate).rounded())) }

    /// The room client `index` joins, or nil (idle).
    package func room(of index: Int) -> String? {
        switch workload {
        case .broadcast: "\(runID)-all"
        case .rooms: "\(runID)-\(index / max(1, roomSize))"
        case .echo: "\(runID)-e\(index)"
        case .idle: nil
        }
    }

    /// Whether client `index` sends on a timer (broadcast, rooms).
    package func isSender(_ index: Int) -> Bool {
        switch workload {
        case .broadcast: index < senders
        case .rooms: index % max(1, roomSize) < senders
        case .echo, .idle: false
        }
    }

    /// Live message deliveries client `index` should receive during the send phase.
    package func expectedDeliveries(of index: Int) -> Int {
        switch workload {
        case .broadcast:
            return min(senders, clients) * messagesPerSender
        case .rooms:
            let roomStart = index / roomSize * roomSize
            let members = min(roomSize, clients - roomStart)
            return min(senders, members) * messagesPerSender
        case .echo, .idle:
            return 0
        }
    }

    /// The HTTP path client `index` opens: the endpoint, or its own SockJS websocket session URL
    /// (server id and session id per client, as sockjs-client makes them).
    package func path(of index: Int) -> String {
        switch transport {
        case .websocket, .raw: path
        case .sockjs: "\(path)/\(index % 1000)/\(runID)s\(index)/websocket"
        }
    }

    /// The nick of client `index` (at most 32 characters of `[A-Za-z0-9_-]`).
    package func nick(of index: Int) -> String { "\(runID)_\(index)" }
}
