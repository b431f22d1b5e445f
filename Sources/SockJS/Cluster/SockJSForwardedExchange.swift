public import NIOCore

/// A forwarded request as the owning node sees it: the request, a way to answer, and the
/// client's abort.
public struct SockJSForwardedExchange: Sendable {
    /// The request as the receiving node got it.
    public var request: SockJSForwardedRequest
    /// Where the answer goes.
    public var reply: any SockJSForwardedReply
    /// The client behind the receiving node went away.
    public var aborted: ForwardedAbort

    public init(request: SockJSForwardedRequest, reply: any SockJSForwardedReply, aborted: ForwardedAbort) {
        self.request = request
        self.reply = reply
        self.aborted = aborted
    }
}

/// The owner's side of a relayed response, in order: one head, chunks, one end.
public protocol SockJSForwardedReply: Sendable {
    /// Sends the status and headers.
    func head(_ head: SockJSResponseHead) async throws
    /// Sends one body chunk as the transport wrote it.
    func chunk(_ bytes: ByteBuffer) async throws
    /// Ends the response.
    func end() async throws
}
