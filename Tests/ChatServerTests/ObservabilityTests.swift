import ChatCore
import ChatServer
import Foundation
import TestSupport
import Testing

/// `/metrics` and `/readyz` over real HTTP after real chat traffic.
@Suite("Observability", .timeLimit(.minutes(2)))
struct ObservabilityTests {
    /// The value of the first sample line of `series` (name plus optional labels), if any.
    static func value(of series: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.split(separator: " ").last ?? "")
        }
        return nil
    }

    @Test("/metrics shows every series with plausible values after chat traffic")
    func metrics() async throws {
        var configuration = ServerConfigurationFactory.make()
        configuration.inbound.connectionFramesPerSecond = 0.001
        configuration.inbound.connectionBurst = 8
        try await TestServer.with(configuration) { port, _ in
            let alice = try await TestChatClient.connect(port: port, name: "alice")
            let bob = try await SockJSChatClient.connect(port: port, transport: .xhrStreaming)
            try await alice.hello("alice")
            _ = try await bob.hello("bob")
            try await alice.join("lobby")
            _ = try await bob.expect("joined", after: ["type": "join", "room": "lobby"])
            try await alice.send(["type": "send", "room": "lobby", "text": "hi", "cid": "c1"])
            let busy: Set<String> = ["presence", "typing", "receipt", "message"]
            _ = try await alice.expect("ack", skipping: busy)
            _ = try await bob.expect("message")
            // Exhaust alice's burst of 8 (hello, join, send and five pings), then one more.
            for _ in 0..<5 {
                try await alice.send(["type": "ping"])
                _ = try await alice.expect("pong", skipping: busy)
            }
            try await alice.send(["type": "ping"])
            #expect(try await alice.expect("error", skipping: busy).string("code") == "rate_limited")
            let response = try await HTTP.get(port: port, path: "/metrics")
            #expect(response.status == 200)
            #expect(response.headers["content-type"]?.hasPrefix("text/plain") == true)
            let text = response.body
            #expect(Self.value(of: #"rabbitchat_connections{transport="websocket"}"#, in: text) == 1)
            #expect(Self.value(of: #"rabbitchat_connections{transport="sockjs"}"#, in: text) == 1)
            #expect((Self.value(of: "rabbitchat_frames_in_total", in: text) ?? 0) >= 8)
            #expect((Self.value(of: "rabbitchat_frames_out_total", in: text) ?? 0) >= 8)
            #expect((Self.value(of: "rabbitchat_rate_limited_frames_total", in: text) ?? 0) >= 1)
            #expect(Self.value(of: "rabbitchat_fanout_seconds_count", in: text).map { $0 >= 1 } == true)
            #expect(Self.value(of: "rabbitchat_broker_publish_confirm_seconds_count", in: text) == 1)
            #expect(Self.value(of: #"rabbitchat_store_seconds_count{operation="append"}"#, in: text) == 1)
            #expect(Self.value(of: "rabbitchat_broker_reconnects_total", in: text) == 0)
            #expect(Self.value(of: "rabbitchat_slow_consumers_dropped_total", in: text) == 0)
            await alice.close()
            await bob.close()
        }
    }

    @Test("/readyz answers 200 with the broker and the store ok")
    func readiness() async throws {
        try await TestServer.with(ServerConfigurationFactory.make()) { port, _ in
            let response = try await HTTP.get(port: port, path: "/readyz")
            #expect(response.status == 200)
            let body = response.json as? [String: Any]
            #expect(body?["status"] as? String == "ready")
            #expect(body?["broker"] as? String == "ok")
            #expect(body?["store"] as? String == "ok")
        }
    }

    @Test(
        "/readyz answers 503 naming the broker or the store that does not answer, and 200 once it is back",
        .requires(.rabbitMQ, .postgreSQL, .rabbitchat)
    )
    func notReady() async throws {
        // A `rabbitchat serve` process reaching RabbitMQ and PostgreSQL through proxies this
        // test can stall: an outage of one node's links, without disturbing other tests.
        let amqp = try #require(URLComponents(string: MultiNodeCluster.amqpURL))
        let postgres = try #require(URLComponents(string: MultiNodeCluster.databaseURL))
        let brokerProxy = try await TCPProxy.start(targetPort: amqp.port ?? 5672)
        let storeProxy = try await TCPProxy.start(targetPort: postgres.port ?? 5432)
        var viaBroker = amqp
        viaBroker.host = "127.0.0.1"
        viaBroker.port = brokerProxy.port
        var viaStore = postgres
        viaStore.host = "127.0.0.1"
        viaStore.port = storeProxy.port
        let server = try await ServerProcess.start(
            nodeID: MultiNodeCluster.unique("readyz"),
            arguments: ["--amqp-url", try #require(viaBroker.string), "--database-url", try #require(viaStore.string)])
        defer { server.kill() }

        /// `/readyz` until its status is `status` (bounded: reconnects take a few seconds).
        func readiness(becomes status: Int) async throws -> [String: Any] {
            var last: HTTP.Response?
            for _ in 0..<60 {
                let response = try await HTTP.get(port: server.port, path: "/readyz")
                if response.status == status { return response.json as? [String: Any] ?? [:] }
                last = response
                try await Task.sleep(for: .milliseconds(500))
            }
            Issue.record("/readyz never answered \(status); last \(last?.status ?? 0) \(last?.body ?? "")")
            return [:]
        }

        var body = try await readiness(becomes: 200)
        #expect(body["status"] as? String == "ready")

        try await brokerProxy.stall()
        body = try await readiness(becomes: 503)
        #expect(body["status"] as? String == "not_ready")
        #expect(body["broker"] as? String == "unavailable")
        #expect(body["store"] as? String == "ok")
        // The broker comes back: the client reconnects on a fresh connection.
        try await brokerProxy.resume()
        try await brokerProxy.cut()
        body = try await readiness(becomes: 200)
        #expect(body["broker"] as? String == "ok")

        try await storeProxy.stall()
        body = try await readiness(becomes: 503)
        #expect(body["broker"] as? String == "ok")
        #expect(body["store"] as? String == "unavailable")
        try await storeProxy.resume()
        try await storeProxy.cut()
        body = try await readiness(becomes: 200)
        #expect(body["store"] as? String == "ok")
        // The reasons are logged; the response names only which part is down.
        #expect(server.log.contains("not ready"))

        #expect(await server.terminate() == 0)
        try await brokerProxy.stop()
        try await storeProxy.stop()
    }
}
