import ChatServer
import Foundation
import Testing

/// `X-Forwarded-For` over real sockets: a test connects from 127.0.0.2 (the trusted proxy) and
/// from 127.0.0.1 (a client nobody vouches for), and the per-address limits count what
/// `--trusted-proxies` says they should.
@Suite("Trusted proxies over real sockets: per-address limits behind a proxy")
struct ForwardedForTests {
    static let proxy = "127.0.0.2"
    static let stranger = "127.0.0.1"

    static func configuration() -> ServerConfiguration {
        var configuration = ServerConfigurationFactory.make()
        configuration.maxConnectionsPerIP = 2
        configuration.trustedProxies = try! TrustedProxies(parsing: [proxy])
        return configuration
    }

    /// Opens `/ws` handshakes one after another; returns every peer (accepted ones stay open).
    static func handshakes(
        _ attempts: [(from: String, forwardedFor: String?)], port: Int
    ) async throws -> [LoopbackPeer] {
        var peers: [LoopbackPeer] = []
        for attempt in attempts {
            peers.append(
                try await LoopbackPeer.webSocket(from: attempt.from, port: port, forwardedFor: attempt.forwardedFor))
        }
        return peers
    }

    static func summary(_ peers: [LoopbackPeer]) -> [String] {
        peers.map {
            $0.response.status == 101 ? "101" : "\($0.response.status) \($0.response.errorCode ?? $0.response.body)"
        }
    }

    @Test("a spoofed X-Forwarded-For from an untrusted peer is ignored: the peer's own address is counted")
    func untrustedPeerIsCounted() async throws {
        try await TestServer.with(Self.configuration()) { port, _ in
            let peers = try await Self.handshakes(
                [(Self.stranger, "198.51.100.1"), (Self.stranger, "198.51.100.2"), (Self.stranger, "198.51.100.3")],
                port: port)
            #expect(Self.summary(peers) == ["101", "101", "429 too_many_connections"])
            for peer in peers { await peer.close() }
        }
    }

    @Test(
        "from the trusted proxy, each client named in X-Forwarded-For has its own limit, and cannot escape it by prepending"
    )
    func trustedProxyIsHonoured() async throws {
        try await TestServer.with(Self.configuration()) { port, _ in
            let peers = try await Self.handshakes(
                [
                    (Self.proxy, "198.51.100.1"), (Self.proxy, "198.51.100.1"),
                    (Self.proxy, "198.51.100.1"),  // the third of one client: over the limit of 2
                    (Self.proxy, "6.6.6.6, 198.51.100.1"),  // what the client wrote is not read
                    (Self.proxy, "198.51.100.2"),  // another client behind the same proxy
                    (Self.proxy, nil),  // the proxy's own connection counts as the proxy
                    (Self.stranger, nil),  // and the stranger still has its slots
                ], port: port)
            #expect(
                Self.summary(peers) == [
                    "101", "101", "429 too_many_connections", "429 too_many_connections", "101", "101", "101",
                ])
            // A slot freed by a client behind the proxy is that client's again.
            await peers[0].close()
            var status = 0
            for _ in 0..<300 {
                let retry = try await LoopbackPeer.webSocket(from: Self.proxy, port: port, forwardedFor: "198.51.100.1")
                status = retry.response.status
                await retry.close()
                if status == 101 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(status == 101)
            for peer in peers { await peer.close() }
        }
    }

    @Test(
        "the login and registration limit counts each client behind the trusted proxy, and the stranger by its peer address"
    )
    func loginLimitPerClient() async throws {
        var configuration = Self.configuration()
        configuration.accounts.perAddress = .init(burst: 2, perMinute: 0.001)
        try await TestServer.with(configuration) { port, _ in
            // A new name each time, so only the per-address limit can refuse.
            var attempt = 0
            func login(from peer: String, forwardedFor: String?) async throws -> String {
                attempt += 1
                var headers = [("Content-Type", "application/json"), ("Connection", "close")]
                if let forwardedFor { headers.append(("X-Forwarded-For", forwardedFor)) }
                let answer = try await LoopbackPeer.send(
                    from: peer, port: port, "POST", "/api/login", headers: headers,
                    body: #"{"name":"nobody\#(attempt)","password":"guess guess"}"#)
                await answer.close()
                return "\(answer.response.status) \(answer.response.errorCode ?? "")"
            }
            var answers: [String] = []
            for _ in 0..<3 { answers.append(try await login(from: Self.proxy, forwardedFor: "198.51.100.1")) }
            answers.append(try await login(from: Self.proxy, forwardedFor: "198.51.100.2"))
            // The stranger's spoofed header names a fresh address; its peer address is what counts.
            for index in 0..<3 {
                answers.append(try await login(from: Self.stranger, forwardedFor: "203.0.113.\(index)"))
            }
            #expect(
                answers == [
                    "401 invalid_credentials", "401 invalid_credentials", "429 rate_limited", "401 invalid_credentials",
                    "401 invalid_credentials", "401 invalid_credentials", "429 rate_limited",
                ])
        }
    }
}
