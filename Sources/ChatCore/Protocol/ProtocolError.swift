/// A refusal of one client frame, turned into an `error` frame for that client.
///
/// It is thrown anywhere between decoding and handling; the connection stays open.
public struct ProtocolError: Error, Sendable, Equatable {
    /// The stable code the client switches on.
    public var code: ErrorCode
    /// A human explanation naming the offending field or value.
    public var message: String
    /// The `cid` of the frame refused, when it had one, so the client can match the refusal.
    public var cid: String?
    /// The `type` of the frame refused, when it could be read.
    public var ref: String?

    public init(_ code: ErrorCode, _ message: String, cid: String? = nil, ref: String? = nil) {
        self.code = code
        self.message = message
        self.cid = cid
        self.ref = ref
    }

    /// The `error` frame that tells the client about this refusal.
    public var frame: ErrorFrame {
        ErrorFrame(code: code, message: message, cid: cid, ref: ref)
    }
}
