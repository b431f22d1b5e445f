/// Where a request under a SockJS prefix goes, parsed from the raw path.
///
/// Parsed by hand rather than with router captures because the spec is strict about the raw
/// shape: `//`, dots in ids and trailing slashes must 404, which a router that drops empty
/// components would accept.
package enum SockJSRoute: Equatable {
    case greeting
    case info
    case iframe
    case rawWebSocket
    case session(server: Substring, session: Substring, endpoint: Endpoint)
    case notFound

    /// The last path component of a session URL.
    package enum Endpoint: String, Equatable {
        case websocket
        case xhr
        case xhrSend = "xhr_send"
        case xhrStreaming = "xhr_streaming"
        case eventSource = "eventsource"
        case htmlFile = "htmlfile"
        case jsonp
        case jsonpSend = "jsonp_send"
    }

    /// - Parameter path: the path after the service prefix, e.g. `/000/abc/xhr` or empty.
    package init(path: Substring) {
        switch path {
        case "", "/": self = .greeting
        case "/info": self = .info
        case "/websocket": self = .rawWebSocket
        default:
            if Self.isIframePage(path) {
                self = .iframe
                return
            }
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 4, parts[0].isEmpty,
                Self.isValidID(parts[1]), Self.isValidID(parts[2]),
                let endpoint = Endpoint(rawValue: String(parts[3]))
            else {
                self = .notFound
                return
            }
            self = .session(server: parts[1], session: parts[2], endpoint: endpoint)
        }
    }

    /// `/iframe.html` and versioned variants such as `/iframe-0.1.2.html` (`^/iframe[0-9-.a-z_]*\.html$`).
    static func isIframePage(_ path: Substring) -> Bool {
        guard path.hasPrefix("/iframe"), path.hasSuffix(".html"), path.count >= "/iframe.html".count else {
            return false
        }
        let middle = path.dropFirst("/iframe".count).dropLast(".html".count)
        return middle.utf8.allSatisfy { byte in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
        }
    }

    /// Server and session ids: any non-empty text without `/` or `.`.
    static func isValidID(_ id: Substring) -> Bool {
        !id.isEmpty && !id.contains(".")
    }
}
