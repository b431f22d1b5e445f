#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as its bytes.
///
/// Per-address limits key on the client's address, and trusted proxies are matched against
/// networks bit by bit: both need one value per address, whatever its spelling (`::1` and
/// `0:0::1`; `::ffff:127.0.0.1`, which a dual-stack socket reports for an IPv4 peer, is the IPv4
/// address `127.0.0.1`).
struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 (IPv6), in network order.
    let bytes: [UInt8]

    /// Parses the textual form of an address (`192.0.2.1`, `2001:db8::1`), without port, brackets
    /// or zone; nil for anything else.
    init?(_ text: some StringProtocol) {
        let text = String(text)
        // inet_pton takes what `inet_ntop` writes and nothing looser (no `010.1.1.1`, no spaces).
        if text.contains(":") {
            var address = in6_addr()
            guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
            let bytes = withUnsafeBytes(of: &address) { Array($0) }
            let isIPv4Mapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff
            self.bytes = isIPv4Mapped ? Array(bytes[12...]) : bytes
        } else {
            var address = in_addr()
            guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
            self.bytes = withUnsafeBytes(of: &address) { Array($0) }
        }
    }

    /// An address of `bytes` (4 or 16 of them).
    init(bytes: [UInt8]) {
        precondition(bytes.count == 4 || bytes.count == 16, "an IP address has 4 or 16 bytes, not \(bytes.count)")
        self.bytes = bytes
    }

    var isIPv4: Bool { bytes.count == 4 }

    /// The canonical text (`inet_ntop`): the key of per-address tables.
    var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let written = bytes.withUnsafeBytes { raw in
            text.withUnsafeMutableBufferPointer { buffer in
                inet_ntop(isIPv4 ? AF_INET : AF_INET6, raw.baseAddress, buffer.baseAddress, socklen_t(buffer.count))
            }
        }
        precondition(written != nil, "inet_ntop failed on an address of \(bytes.count) bytes")
        return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
