/// `error`: a frame was refused; the connection stays usable.
public struct ErrorFrame: Encodable, Sendable, Equatable {
    public let type = "error"
    public var code: ErrorCode
    public var message: String
    /// The refused frame's `cid`, if it had one.
    public var cid: String?
    /// The refused frame's `type`, if it could be read.
    public var ref: String?

    public init(code: ErrorCode, message: String, cid: String?, ref: String?) {
        self.code = code
        self.message = message
        self.cid = cid
        self.ref = ref
    }
}
