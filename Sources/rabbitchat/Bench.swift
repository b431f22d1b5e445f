import ArgumentParser
import ChatBench
import ChatStore
import Foundation
import Logging

/// `rabbitchat bench`: a protocol v1 load generator against a running server on loopback.
///
/// Every run is bounded (connect deadline, fixed message count, drain deadline) and prints a
/// table, or JSON with `--json`. When one process's descriptor limit cannot hold every client,
/// the run is split over child `rabbitchat bench` processes (hidden `--child-*` options).
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load-test a running server over WebSocket (loopback only).",
        discussion: """
            Workloads: broadcast (N clients in one room, S senders x R msgs/s), rooms (rooms of \
            --room-size, S senders per room), echo (each client alone in a room, round trips), \
            idle (hold N connections; with --server-pid, RSS per connection). \
            search: no server; fills the store of --database-url with --messages synthetic messages \
            (bulk import; an already filled store is reused) and times --queries searches of each kind \
            (p50/p95 per kind).
            """)

    @Argument(help: "broadcast, rooms, echo, idle or search")
    var workload: String

    @Option(help: "Server port on 127.0.0.1.") var port = 8080
    @Option(help: "websocket (protocol v1 on /ws) or sockjs (SockJS websocket framing on /sockjs).")
    var transport = "websocket"
    @Option(help: "Endpoint path (default: /ws, or /sockjs with --transport sockjs).") var path: String?
    @Option(name: .shortAndLong, help: "Clients (over every process).") var clients = 100
    @Option(help: "Senders: in the room (broadcast) or per room (rooms).") var senders = 10
    @Option(help: "Messages per second per sender.") var rate = 1.0
    @Option(help: "Seconds of sending (broadcast, rooms, echo) or holding (idle).") var duration = 10.0
    @Option(help: "Clients per room (rooms).") var roomSize = 10
    @Option(help: "Messages in flight per client (echo).") var window = 1
    @Option(help: "Most seconds to connect everyone.") var connectTimeout = 120.0
    @Option(help: "Handshakes in flight at once.") var connectConcurrency = 200
    @Option(help: "Most seconds to wait for quiet after connecting.") var settleTimeout = 60.0
    @Option(help: "Most seconds to wait for deliveries after the last send.") var drainTimeout = 10.0
    @Option(help: "Spread connections over 127.0.0.2 ... 127.0.0.(1+n).") var sourceAddresses = 4
    @Option(help: "Event loop threads per bench process.") var threads = 1
    @Option(help: "Bench processes (default: the fewest the descriptor limit allows).") var processes: Int?
    @Option(help: "The server's pid: report its RSS and CPU from /proc.") var serverPid: Int32?
    @Flag(help: "Print JSON instead of a table.") var json = false
    @Option(help: "(search) The store to fill and search: sqlite:///path or postgres://… (an empty or a filled one).")
    var databaseURL: String?
    @Option(help: "(search) Messages to store.") var messages = 1_000_000
    @Option(help: "(search) Timed queries per kind.") var queries = 100
    @Option(help: "(search) Messages per import transaction.") var importBatch = 10_000
    @Option(help: "(search) Seed of the synthetic history and queries.") var seed: UInt64 = 1

    @Option(help: .hidden) var childConfiguration: String?
    @Option(help: .hidden) var childRange: String?

    func run() async throws {
        if let childConfiguration, let childRange {
            let configuration = try JSONDecoder().decode(
                BenchConfiguration.self, from: Data(base64Encoded: childConfiguration) ?? Data())
            let bounds = childRange.split(separator: "-").compactMap { Int($0) }
            guard bounds.count == 2 else { throw ValidationError("bad --child-range \(childRange)") }
            try await BenchRunner.runChild(configuration, range: bounds[0]..<bounds[1])
            return
        }
        if workload == "search" {
            try await runSearch()
            return
        }
        guard let kind = BenchConfiguration.Workload(rawValue: workload) else {
            throw ValidationError("unknown workload `\(workload)`: broadcast, rooms, echo, idle or search")
        }
        var configuration = BenchConfiguration(workload: kind)
        configuration.port = port
        guard let transport = BenchConfiguration.Transport(rawValue: transport) else {
            throw ValidationError("unknown transport `\(transport)`: websocket, sockjs or raw")
        }
        configuration.transport = transport
        configuration.path = path ?? (transport == .sockjs ? "/sockjs" : "/ws")
        configuration.clients = clients
        configuration.senders = senders
        configuration.rate = rate
        configuration.duration = duration
        configuration.roomSize = roomSize
        configuration.window = window
        configuration.connectTimeout = connectTimeout
        configuration.connectConcurrency = connectConcurrency
        configuration.settleTimeout = settleTimeout
        configuration.drainTimeout = drainTimeout
        configuration.sourceAddresses = sourceAddresses
        configuration.threads = threads
        configuration.processes = processes
        configuration.serverPID = serverPid
        configuration.runID = "b" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        let report = try await BenchRunner.run(configuration, build: build) { configuration, range in
            let encoded = (try? JSONEncoder().encode(configuration))?.base64EncodedString() ?? ""
            return [
                "bench", configuration.workload.rawValue, "--child-configuration", encoded,
                "--child-range", "\(range.lowerBound)-\(range.upperBound)",
            ]
        }
        print(json ? report.json() : report.table())
    }
}

extension Bench {
    /// `bench search`: the store's own search, no server in between.
    func runSearch() async throws {
        guard let databaseURL else {
            throw ValidationError("bench search needs --database-url (sqlite:///… or postgres://…)")
        }
        let database: DatabaseURL
        do {
            database = try DatabaseURL(parsing: databaseURL)
        } catch {
            throw ValidationError("--database-url: \(error)")
        }
        let backend: String
        switch database {
        case .memory: throw ValidationError("bench search needs a sqlite: or postgres:// store")
        case .sqlite: backend = "SQLite (FTS5)"
        case .postgres: backend = "PostgreSQL (tsvector + GIN)"
        }
        var logger = Logger(label: "rabbitchat") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let benchmark = SearchBenchmark(messages: messages, queriesPerKind: queries, batch: importBatch, seed: seed)
        try await database.withDurableStore(logger: logger) { store in
            try await benchmark.run(store: store, backend: backend)
        }
    }
}
