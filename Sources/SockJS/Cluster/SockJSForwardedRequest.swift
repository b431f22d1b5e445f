public import NIOCore

/// An HTTP-transport request on its way to the node that owns its session.
///
/// Only what the SockJS transports read travels: method, path with query, headers and the
/// (already bounded) body.
public struct SockJSForwardedRequest: Sendable, Equatable {
    /// Unique per forwarded request; every reply and the abort carry it.
    public var id: String
    /// The node that received the request, where replies go.
    public var origin: String
    /// The session id from the URL.
    public var session: String
    /// `GET` or `POST`.
    public var method: String
    /// The raw path and query, e.g. `/sockjs/000/abc/jsonp?c=cb`.
    public var path: String
    /// Header fields as (name, value) pairs, in order.
    public var headers: [SockJSHeaderField]
    /// The request body (empty for receivers).
    public var body: ByteBuffer

    public init(
        id: String, origin: String, session: String, method: String, path: String, headers: [SockJSHeaderField],
        body: ByteBuffer
    ) {
        self.id = id
        self.origin = origin
        self.session = session
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }
}

/// One header field of a forwarded request or response.
public struct SockJSHeaderField: Sendable, Equatable, Codable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
