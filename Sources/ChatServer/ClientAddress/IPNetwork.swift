/// A block of addresses in CIDR notation (`10.0.0.0/8`, `fd00::/8`); a bare address is the
/// network of just that address (`/32` or `/128`).
struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    /// The network's first address (the bits past the prefix are zero).
    let address: IPAddress
    /// How many leading bits an address must share with `address` to be in the network.
    let prefixLength: Int

    /// Parses `address` or `address/prefix`; nil for anything else, including a prefix longer
    /// than the address (`10.0.0.0/33`).
    init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        let bits = address.bytes.count * 8
        var prefixLength = bits
        if parts.count == 2 {
            // Digits only: `Int` alone would take `+8`.
            guard !parts[1].isEmpty, parts[1].allSatisfy(\.isASCIIDigit), parts[1].count <= 3,
                let length = Int(parts[1]), length <= bits
            else { return nil }
            prefixLength = length
        }
        self.prefixLength = prefixLength
        self.address = IPAddress(bytes: Self.masked(address.bytes, to: prefixLength))
    }

    /// Whether `candidate` is in the network. An IPv4 address is never in an IPv6 network or the
    /// other way round (IPv4-mapped IPv6 addresses are IPv4 addresses already, see `IPAddress`).
    func contains(_ candidate: IPAddress) -> Bool {
        candidate.bytes.count == address.bytes.count && Self.masked(candidate.bytes, to: prefixLength) == address.bytes
    }

    var description: String { "\(address)/\(prefixLength)" }

    private static func masked(_ bytes: [UInt8], to prefixLength: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let kept = min(max(prefixLength - index * 8, 0), 8)
            return kept == 8 ? byte : byte & ~(0xff >> kept)
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
