import Foundation
public import NIOCore

/// The reverse proxies (`--trusted-proxies`) whose `X-Forwarded-For` header tells the server
/// who the client is.
///
/// Behind a proxy every TCP connection comes from the proxy, so per-address limits (`/ws`
/// connections per IP, the login and registration rate limit) would count all clients as one.
/// The proxy appends the address it was connected from to `X-Forwarded-For`; anyone can send
/// that header, though, so it is believed only from a configured proxy, and only as far as
/// proxies vouch for it. Walking the list from the right, each entry was written by the hop
/// after it: while that hop is a trusted proxy, the entry is the true peer of that proxy. The
/// client is the first address, from the right, that is not a trusted proxy (nginx's
/// `real_ip_recursive on`). Whatever a client put further left is never read. With no proxies
/// configured (the default) the header is ignored and the TCP peer is the client.
public struct TrustedProxies: Sendable, Equatable, CustomStringConvertible {
    /// The trusted networks, as parsed.
    let networks: [IPNetwork]

    /// No trusted proxy: the TCP peer is always the client.
    public static let none = TrustedProxies(networks: [])

    /// At most this many `X-Forwarded-For` entries are followed from the right; past them the
    /// last trusted one is the client (a chain of more proxies than this is not a deployment).
    static let maximumHops = 32

    /// An entry of `--trusted-proxies` that is neither an address nor a CIDR network.
    public struct InvalidEntry: Error, Equatable {
        /// The entry as given.
        public var entry: String
    }

    /// Parses addresses and CIDR networks (`127.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`).
    ///
    /// - Throws: `InvalidEntry` naming the first entry that is neither.
    public init(parsing entries: [String]) throws(InvalidEntry) {
        var networks: [IPNetwork] = []
        for entry in entries {
            guard let network = IPNetwork(entry) else { throw InvalidEntry(entry: entry) }
            networks.append(network)
        }
        self.networks = networks
    }

    init(networks: [IPNetwork]) {
        self.networks = networks
    }

    /// Whether no proxy is trusted.
    public var isEmpty: Bool { networks.isEmpty }

    /// The networks, comma-separated, as `--trusted-proxies` would take them.
    public var description: String { networks.map(\.description).joined(separator: ",") }

    /// Whether `address` is one of the trusted proxies.
    func trusts(_ address: IPAddress) -> Bool {
        networks.contains { $0.contains(address) }
    }

    /// The client's address for a request that came from `peer` with these `X-Forwarded-For`
    /// header values (in the order they came; several headers are one list).
    ///
    /// - Returns: the canonical text of the client's address (`IPAddress.description`), or
    ///   nil when the peer has no IP address (a Unix socket).
    public func clientAddress(peer: SocketAddress?, forwardedFor: [String]) -> String? {
        guard let text = peer?.ipAddress else { return nil }
        guard let peer = IPAddress(text) else { return text }
        return clientAddress(peer: peer, forwardedFor: forwardedFor).description
    }

    /// `clientAddress(peer:forwardedFor:)` on parsed addresses.
    func clientAddress(peer: IPAddress, forwardedFor: [String]) -> IPAddress {
        guard trusts(peer) else { return peer }
        let entries = forwardedFor.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
        var client = peer
        for entry in entries.reversed().prefix(Self.maximumHops) {
            // An entry a trusted proxy wrote but we cannot read: stop at the last hop we can
            // vouch for rather than guess.
            guard let address = Self.forwardedAddress(entry) else { return client }
            client = address
            if !trusts(address) { return address }
        }
        // Every hop was a trusted proxy (or the header was absent): the leftmost one we read.
        return client
    }

    /// An `X-Forwarded-For` entry's address: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`,
    /// `[2001:db8::1]` or `[2001:db8::1]:4711`, with spaces around it; nil for anything else
    /// (`unknown`, an obfuscated identifier, an empty entry).
    static func forwardedAddress(_ entry: Substring) -> IPAddress? {
        let text = entry.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let rest = text[text.index(after: close)...]
            guard rest.isEmpty || Self.isPort(rest) else { return nil }
            return IPAddress(text[text.index(after: text.startIndex)..<close])
        }
        let colons = text.count(where: { $0 == ":" })
        if colons == 1, let colon = text.firstIndex(of: ":") {
            guard Self.isPort(text[colon...]) else { return nil }
            return IPAddress(text[..<colon])
        }
        return IPAddress(text)
    }

    /// `:` and 1 to 5 digits.
    private static func isPort(_ text: Substring) -> Bool {
        text.first == ":" && (2...6).contains(text.count) && text.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }
    }
}
