import Testing

@testable import ChatServer

@Suite("TrustedProxies: the client's address from X-Forwarded-For")
struct TrustedProxiesTests {
    static let proxies = try! TrustedProxies(parsing: ["127.0.0.1", "10.0.0.0/8", "fd00::/8"])

    static func client(_ peer: String, _ forwardedFor: [String], proxies: TrustedProxies = proxies) -> String {
        proxies.clientAddress(peer: IPAddress(peer)!, forwardedFor: forwardedFor).description
    }

    @Test("an untrusted peer is the client, whatever its X-Forwarded-For says")
    func untrustedPeer() {
        #expect(Self.client("203.0.113.9", ["198.51.100.1"]) == "203.0.113.9")
        #expect(Self.client("203.0.113.9", ["10.1.2.3, 127.0.0.1"]) == "203.0.113.9")
        #expect(Self.client("2001:db8::9", ["198.51.100.1"]) == "2001:db8::9")
    }

    @Test("no proxies configured: the header is never read")
    func noProxies() {
        #expect(Self.client("127.0.0.1", ["198.51.100.1"], proxies: .none) == "127.0.0.1")
        #expect(TrustedProxies.none.isEmpty)
    }

    @Test(
        "from a trusted peer: the rightmost address that is not a trusted proxy",
        arguments: [
            (["198.51.100.1"], "198.51.100.1"),
            // A client's own (spoofed) entries sit left of what the proxy appended: never read.
            (["6.6.6.6, 198.51.100.1"], "198.51.100.1"),
            // Trusted hops are skipped: client → 10.0.0.5 (inner proxy) → 127.0.0.1.
            (["198.51.100.1, 10.0.0.5"], "198.51.100.1"),
            (["6.6.6.6, 198.51.100.1, 10.9.8.7, 10.0.0.5"], "198.51.100.1"),
            // Several headers are one list, in order.
            (["6.6.6.6", "198.51.100.1, 10.0.0.5"], "198.51.100.1"),
            // Spaces, ports and brackets as proxies write them.
            (["  198.51.100.1:4711 "], "198.51.100.1"),
            (["[2001:db8::1]:443"], "2001:db8::1"),
            (["[2001:db8::1]"], "2001:db8::1"),
            (["2001:DB8:0:0::1"], "2001:db8::1"),
            (["fd00::7, 2001:db8::1, fd12::1"], "2001:db8::1"),
            // Every hop trusted: the leftmost.
            (["10.0.0.9, 10.0.0.5"], "10.0.0.9"),
            // No header, or an empty one: the peer.
            ([], "127.0.0.1"),
            ([""], "127.0.0.1"),
            // An entry that is no address stops the walk at the last hop we can vouch for.
            (["198.51.100.1, unknown"], "127.0.0.1"),
            (["198.51.100.1, 10.0.0.5, _hidden"], "127.0.0.1"),
            (["unknown, 10.0.0.5"], "10.0.0.5"),
            (["198.51.100.1,,10.0.0.5"], "10.0.0.5"),
            (["198.51.100.1:http"], "127.0.0.1"),
            (["300.1.1.1"], "127.0.0.1"),
        ] as [([String], String)])
    func trustedPeer(forwardedFor: [String], expected: String) {
        #expect(Self.client("127.0.0.1", forwardedFor) == expected)
    }

    @Test("the walk is bounded: past 32 trusted hops, the last one read is the client")
    func boundedWalk() {
        let hops = (1...40).map { "10.0.0.\($0)" }
        #expect(Self.client("127.0.0.1", ["198.51.100.1, " + hops.joined(separator: ", ")]) == "10.0.0.9")
    }

    @Test("an IPv4 peer of a dual-stack socket (::ffff:a.b.c.d) matches IPv4 networks and keys as IPv4")
    func ipv4Mapped() {
        #expect(Self.client("::ffff:127.0.0.1", ["198.51.100.1"]) == "198.51.100.1")
        #expect(Self.client("::ffff:203.0.113.9", []) == "203.0.113.9")
        #expect(IPAddress("::ffff:10.1.2.3") == IPAddress("10.1.2.3"))
    }

    @Test(
        "networks: CIDR prefixes match bit by bit, families never mix",
        arguments: [
            ("10.0.0.0/8", "10.255.1.2", true), ("10.0.0.0/8", "11.0.0.1", false),
            ("192.168.4.0/22", "192.168.7.255", true), ("192.168.4.0/22", "192.168.8.0", false),
            ("192.168.5.77/22", "192.168.4.1", true),  // host bits of the network are ignored
            ("0.0.0.0/0", "203.0.113.9", true), ("0.0.0.0/0", "2001:db8::1", false),
            ("127.0.0.1", "127.0.0.1", true), ("127.0.0.1", "127.0.0.2", false),
            ("fd00::/8", "fdff:1::1", true), ("fd00::/8", "fe80::1", false),
            ("2001:db8::/33", "2001:db8:7fff::1", true), ("2001:db8::/33", "2001:db8:8000::1", false),
            ("::1", "::1", true), ("::/0", "127.0.0.1", false),
        ] as [(String, String, Bool)])
    func networks(network: String, address: String, inside: Bool) throws {
        let parsed = try #require(IPNetwork(network))
        #expect(parsed.contains(try #require(IPAddress(address))) == inside)
    }

    @Test(
        "entries that are neither an address nor a network are refused",
        arguments: [
            "", "localhost", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/+8", "10.0.0.0/8/8", "1.2.3", "010.0.0.1 ",
            "fe80::1%eth0",
        ])
    func invalidEntries(entry: String) {
        #expect(throws: TrustedProxies.InvalidEntry(entry: entry)) { try TrustedProxies(parsing: [entry]) }
    }

    @Test("--trusted-proxies: flag, variable or file; a bad entry is named; the default trusts nobody")
    func setting() throws {
        #expect(try ServerConfiguration.resolve(flags: [:], environment: [:]).trustedProxies.isEmpty)
        let configured = try ServerConfiguration.resolve(
            flags: ["trusted-proxies": "127.0.0.1, 10.0.0.0/8,::1"], environment: [:])
        #expect(configured.trustedProxies.description == "127.0.0.1/32,10.0.0.0/8,::1/128")
        let fromEnvironment = try ServerConfiguration.resolve(
            flags: [:], environment: ["RABBITCHAT_TRUSTED_PROXIES": "fd00::/8"])
        #expect(fromEnvironment.trustedProxies.description == "fd00::/8")
        let file = try ConfigurationFile.parse("trusted-proxies: [127.0.0.1, 192.168.0.0/16]\n", path: "chat.yaml")
        let fromFile = try ServerConfiguration.resolve(flags: [:], environment: [:], file: file)
        #expect(fromFile.trustedProxies.description == "127.0.0.1/32,192.168.0.0/16")
        #expect(
            throws: ConfigurationError(
                setting: "--trusted-proxies",
                problem: "`proxy.internal` is not an IP address or a CIDR network such as 10.0.0.0/8 or fd00::/8")
        ) {
            try ServerConfiguration.resolve(flags: ["trusted-proxies": "127.0.0.1,proxy.internal"], environment: [:])
        }
        #expect(ServerSetting.trustedProxies.help.contains("[env: RABBITCHAT_TRUSTED_PROXIES]"))
    }
}
