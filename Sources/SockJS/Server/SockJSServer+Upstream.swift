import HTTPTypes
import Hummingbird
import NIOCore

// Upstream: `xhr_send` and `jsonp_send`, the requests that carry the client's messages to an
// existing session.
extension SockJSServer {
    /// `xhr_send` and `jsonp_send`: the client's messages for an existing session.
    func receive(_ request: Request, sessionID: String, jsonp: Bool) async -> Response {
        var headers: HTTPFields = [:]
        SockJSHeaders.cors(for: request, into: &headers)
        SockJSHeaders.noCache(into: &headers)
        SockJSHeaders.cookie(for: request, needed: configuration.cookieNeeded, into: &headers)
        // Sending never opens a session.
        guard let session = registry.find(sessionID) else {
            return Self.plain(.notFound, "Session not found.", headers: headers)
        }
        var body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: configuration.maxPayloadBytes)
        } catch {
            return Self.plain(.contentTooLarge, "Payload too large.", headers: headers)
        }
        var payload = body.readBytes(length: body.readableBytes) ?? []
        if jsonp, request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") ?? false {
            payload = Self.formField("d", in: payload) ?? []
        }
        guard !payload.isEmpty else {
            return Self.plain(.internalServerError, "Payload expected.", headers: headers)
        }
        let messages: [ByteBuffer]
        do {
            messages = try InboundPayloadDecoder.decode(payload, allowSingleString: false)
        } catch {
            return Self.plain(.internalServerError, "Broken JSON encoding.", headers: headers)
        }
        await session.deliver(messages)
        if jsonp {
            // Konqueror mishandles 204, so jsonp_send answers 200 "ok".
            return Self.plain(.ok, "ok", headers: headers)
        }
        headers[.contentType] = "text/plain; charset=UTF-8"
        return Response(status: .noContent, headers: headers)
    }

    /// The percent-decoded value of `name` in an `application/x-www-form-urlencoded` body.
    static func formField(_ name: String, in body: [UInt8]) -> [UInt8]? {
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard percentDecode(parts[0]) == Array(name.utf8) else { continue }
            return parts.count > 1 ? percentDecode(parts[1]) : []
        }
        return nil
    }

    static func percentDecode(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), index + 2 < bytes.endIndex,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 2
            } else {
                out.append(byte)
            }
            index += 1
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
