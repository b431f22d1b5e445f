import Foundation
import NIOCore
import SockJS

/// One message of the SockJS relay between nodes: a small JSON header and the raw body bytes.
///
/// Wire form: a 32-bit big-endian header length, the header as JSON, then the body (a request
/// body or a response chunk) untouched, so binary-exact SockJS frames survive.
struct RelayEnvelope: Codable, Equatable {
    enum Kind: String, Codable {
        /// Receiving node → owner: a forwarded request.
        case request
        /// Owner → receiving node: the request reached the session's owner.
        case accepted
        /// Owner → receiving node: status and headers.
        case head
        /// Owner → receiving node: one body chunk, as the transport wrote it.
        case chunk
        /// Owner → receiving node: the response is complete.
        case end
        /// Owner → receiving node: the owner could not take the request (overloaded).
        case failed
        /// Receiving node → owner: the client went away.
        case abort
    }

    var kind: Kind
    /// The forwarded request's id.
    var id: String
    /// `request`: the receiving node's id, where replies go.
    var origin: String?
    /// `request`, `abort`: the session id.
    var session: String?
    /// `request`: method, path with query, headers.
    var method: String?
    var path: String?
    var headers: [SockJSHeaderField]?
    /// `head`: the response head.
    var head: SockJSResponseHead?
    /// `failed`: why.
    var reason: String?

    init(kind: Kind, id: String) {
        self.kind = kind
        self.id = id
    }

    struct DecodingError: Error, CustomStringConvertible {
        var description: String
    }

    /// The envelope and its body as one broker payload.
    func encoded(body: ByteBuffer = ByteBuffer()) -> ByteBuffer {
        let header = (try? JSONEncoder().encode(self)) ?? Data()
        var buffer = ByteBuffer()
        buffer.reserveCapacity(4 + header.count + body.readableBytes)
        buffer.writeInteger(UInt32(header.count))
        buffer.writeBytes(header)
        var body = body
        buffer.writeBuffer(&body)
        return buffer
    }

    /// Splits a broker payload into envelope and body.
    static func decode(_ payload: ByteBuffer) throws -> (RelayEnvelope, ByteBuffer) {
        var payload = payload
        guard let length = payload.readInteger(as: UInt32.self), let header = payload.readBytes(length: Int(length))
        else {
            throw DecodingError(description: "truncated relay envelope")
        }
        do {
            return (try JSONDecoder().decode(RelayEnvelope.self, from: Data(header)), payload)
        } catch {
            throw DecodingError(description: "bad relay envelope: \(error)")
        }
    }
}
